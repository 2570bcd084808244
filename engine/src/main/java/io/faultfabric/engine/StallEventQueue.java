package io.faultfabric.engine;

import java.util.ArrayDeque;

/**
 * The Arm SMMUv3 stall model of one SMMU, for platform devices that stall instead of using PRI: a faulting
 * transaction stalls with a 16-bit STAG, unique among the outstanding stalls of its stream, and is reported on
 * the event queue as a one-request group (L=1, group id = STAG). Software sends exactly one CMD_RESUME per
 * stall: RETRY for Success, ABORT for Invalid or Failure. Stall records are never dropped when the event
 * queue is full: the transaction waits until there is room, and is reported then.
 *
 * <p>Not yet wired into {@link IommuCore}, the actors or the topology: this is the rule set, unit-tested.
 */
public final class StallEventQueue {

    /** The SMMU's CMD_RESUME action. */
    public enum Resume { RETRY, ABORT }

    /** One stalled transaction as reported on the event queue. */
    public record Stall(int sid, int stag, long address, long stalledNanos) {
        public Stall {
            Stag.check(stag, "stag");
        }
    }

    /** What {@link #resume} did: the action sent to the transaction, or why the command was rejected. */
    public enum ResumeResult { RETRIED, ABORTED, REJECTED_UNKNOWN_STAG, REJECTED_NOT_REPORTED }

    private static final int STAGS = Stag.MAX + 1;

    private final int capacity;
    private final ArrayDeque<Stall> queue = new ArrayDeque<>();
    private final ArrayDeque<Stall> waitingForRoom = new ArrayDeque<>();
    // (sid << 16 | stag) -> 1 outstanding not yet reported, 2 reported and awaiting its resume
    private final LongIntMap outstanding = new LongIntMap(16);
    private final LongIntMap nextStag = new LongIntMap(16);
    private final LongIntMap perStream = new LongIntMap(16);

    public long stalls;
    public long reported;
    public long waitedForRoom;
    public long retried;
    public long aborted;
    public long resumesRejected;
    public long stagsExhausted;

    public StallEventQueue(int capacity) {
        if (capacity < 1 || capacity > (1 << 19)) throw new IllegalArgumentException("event queue capacity must be 1..2^19, was " + capacity);
        this.capacity = capacity;
    }

    /**
     * A transaction of stream {@code sid} faults and stalls. Returns its STAG, or -1 if all 65,536 tags of the
     * stream are outstanding (the transaction cannot stall yet: the caller retries it later; counted).
     */
    public int stall(int sid, long address, long nowNanos) {
        if (sid < 0) throw new IllegalArgumentException("sid must be >= 0, was " + sid);
        int inUse = get(perStream, sid);
        if (inUse >= STAGS) {
            stagsExhausted++;
            return -1;
        }
        int stag = get(nextStag, sid);
        while (get(outstanding, key(sid, stag)) != 0) stag = (stag + 1) & Stag.MAX;
        nextStag.put(sid, (stag + 1) & Stag.MAX);
        perStream.put(sid, inUse + 1);
        Stall s = new Stall(sid, stag, address, nowNanos);
        stalls++;
        if (queue.size() < capacity) {
            queue.addLast(s);
            outstanding.put(key(sid, stag), 2);
            reported++;
        } else {
            // never dropped: the transaction waits, its record is written when software makes room
            waitedForRoom++;
            waitingForRoom.addLast(s);
            outstanding.put(key(sid, stag), 1);
        }
        return stag;
    }

    /** Software reads the next event (a one-request group, L=1, group id = STAG), or null if the queue is empty. */
    public Stall poll() {
        Stall s = queue.pollFirst();
        if (s == null) return null;
        Stall w = waitingForRoom.pollFirst();
        if (w != null) {
            queue.addLast(w);
            outstanding.put(key(w.sid(), w.stag()), 2);
            reported++;
        }
        return s;
    }

    /** CMD_RESUME(sid, stag) carrying the software answer {@code code}: exactly one per reported stall. */
    public ResumeResult resume(int sid, int stag, ResponseCode code) {
        java.util.Objects.requireNonNull(code, "code");
        Stag.check(stag, "stag");
        long k = key(sid, stag);
        int state = get(outstanding, k);
        if (state == 0) {
            resumesRejected++;
            return ResumeResult.REJECTED_UNKNOWN_STAG;
        }
        if (state == 1) {
            resumesRejected++;
            return ResumeResult.REJECTED_NOT_REPORTED;
        }
        outstanding.remove(k);
        perStream.put(sid, get(perStream, sid) - 1);
        if (action(code) == Resume.RETRY) {
            retried++;
            return ResumeResult.RETRIED;
        }
        aborted++;
        return ResumeResult.ABORTED;
    }

    /** RETRY for Success, ABORT for Invalid or Response Failure. */
    public static Resume action(ResponseCode code) {
        return code == ResponseCode.SUCCESS ? Resume.RETRY : Resume.ABORT;
    }

    public int queued() { return queue.size(); }
    public int waiting() { return waitingForRoom.size(); }
    /** Stalls not yet resumed, reported or waiting: stalls = retried + aborted + outstanding() always. */
    public long outstanding() { return stalls - retried - aborted; }

    private static int get(LongIntMap m, long k) {
        int v = m.get(k);
        return v == LongIntMap.MISSING ? 0 : v;
    }

    private static long key(int sid, int stag) {
        return ((long) sid << 16) | stag;
    }
}
