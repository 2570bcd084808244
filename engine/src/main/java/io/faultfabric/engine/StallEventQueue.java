package io.faultfabric.engine;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The Arm SMMUv3 stall model of one SMMU, for platform devices that stall instead of using PRI: a faulting
 * transaction stalls with a 16-bit STAG, unique among the outstanding stalls of its stream, and is reported on
 * the event queue as a one-request group (L=1, group id = STAG). Software sends exactly one CMD_RESUME per
 * stall: RETRY for Success, ABORT for Invalid or Failure. Stall records are never dropped when the event
 * queue is full: the transaction waits until there is room, and is reported then; how often and how long is counted.
 *
 * <p>{@link IommuCore} owns one for a unit with stalling devices. Each stall is the {@link PageRequestGroup} that
 * carries it from the event queue to its handler and back; this class keeps the STAGs, the queue and the transactions
 * waiting for room, and counts into the unit's {@link OutcomeLedger}. A stream id (SID) is the device's RID. Single-threaded.
 */
public final class StallEventQueue {

    /** The SMMU's CMD_RESUME action. */
    public enum Resume { RETRY, ABORT }

    /** Tags per stream: a STAG is 16 bits. */
    public static final int STAGS = Stag.MAX + 1;
    /** The SMMUv3 event queue holds at most 2^19 records (its LOG2SIZE field). */
    public static final int MAX_CAPACITY = 1 << 19;

    private final int capacity;
    private final OutcomeLedger ledger;
    private final ArrayDeque<PageRequestGroup> queue = new ArrayDeque<>();
    private final ArrayDeque<PageRequestGroup> waitingForRoom = new ArrayDeque<>();
    // (sid << 16 | stag) -> slot in the pool of outstanding stalls (queued, waiting, or read and awaiting the resume)
    private final LongIntMap index = new LongIntMap(64);
    private PageRequestGroup[] pool = new PageRequestGroup[64];
    private long[] stalledAt = new long[64];
    private int[] free = new int[64];
    private int freeCount;
    private int used;
    private int top; // slots handed out so far; those below it not in the free list are in use
    private final LongIntMap nextStag = new LongIntMap(16);
    private final LongIntMap perStream = new LongIntMap(16);

    public StallEventQueue(int capacity, OutcomeLedger ledger) {
        if (capacity < 1 || capacity > MAX_CAPACITY) throw new IllegalArgumentException("eventQueueDepth must be 1..2^19 (524288), was " + capacity);
        this.capacity = capacity;
        this.ledger = java.util.Objects.requireNonNull(ledger, "ledger");
    }

    public int capacity() { return capacity; }

    /**
     * The transaction carried by {@code g} (one request, L=1) faults and stalls: it gets the next free STAG of its stream,
     * and its record goes on the event queue, or waits for room when the queue is full. Returns the STAG, or -1 when all
     * 65,536 tags of the stream are outstanding (nothing is kept: the caller answers the transaction itself; counted).
     */
    public int stall(PageRequestGroup g, long nowNanos) {
        int sid = g.rid();
        int inUse = get(perStream, sid);
        if (inUse >= STAGS) {
            ledger.stagsExhausted++;
            return -1;
        }
        int stag = get(nextStag, sid);
        while (index.containsKey(key(sid, stag))) stag = (stag + 1) & Stag.MAX;
        nextStag.put(sid, (stag + 1) & Stag.MAX);
        perStream.put(sid, inUse + 1);
        g.stalled(stag);
        int slot = slot();
        pool[slot] = g;
        stalledAt[slot] = nowNanos;
        index.put(key(sid, stag), slot);
        ledger.stallsTaken++;
        if (queue.size() < capacity) {
            report(g);
        } else {
            // never dropped: the transaction stays stalled, its record is written when software makes room
            ledger.stallsWaitedForRoom++;
            waitingForRoom.addLast(g);
        }
        return stag;
    }

    /**
     * Software reads the next record (a one-request group, L=1, group id = STAG), or null if the queue is empty. The room
     * it leaves goes to the transaction that has waited longest, whose wait ends now.
     */
    public PageRequestGroup poll(long nowNanos) {
        PageRequestGroup g = queue.pollFirst();
        if (g != null) admitWaiting(nowNanos);
        return g;
    }

    private void admitWaiting(long nowNanos) {
        while (queue.size() < capacity && !waitingForRoom.isEmpty()) {
            PageRequestGroup w = waitingForRoom.pollFirst();
            long waited = Math.max(0, nowNanos - stalledAt[index.get(key(w.rid(), w.stag()))]);
            ledger.stallWaitNanos += waited;
            if (waited > ledger.stallWaitMaxNanos) ledger.stallWaitMaxNanos = waited;
            report(w);
        }
    }

    private void report(PageRequestGroup g) {
        queue.addLast(g);
        if (queue.size() > ledger.eventQueueHighWater) ledger.eventQueueHighWater = queue.size();
    }

    /** The stall outstanding at (SID, STAG), in the queue, waiting, or read and awaiting its resume; null if none. */
    public PageRequestGroup find(int sid, int stag) {
        if (stag < 0 || stag > Stag.MAX) return null;
        int slot = index.get(key(sid, stag));
        return slot == LongIntMap.MISSING ? null : pool[slot];
    }

    /**
     * The resume of stall {@code g} was sent (its code set: RETRY for Success, ABORT otherwise): the transaction leaves the
     * SMMU and its STAG is free. Returns the action, or null if {@code g} is not outstanding here (then nothing changes).
     */
    public Resume resumed(PageRequestGroup g) {
        long k = key(g.rid(), g.stag());
        int slot = g.isStall() ? index.get(k) : LongIntMap.MISSING;
        if (slot == LongIntMap.MISSING || pool[slot] != g) return null;
        index.remove(k);
        pool[slot] = null;
        free[freeCount++] = slot;
        used--;
        perStream.put(g.rid(), get(perStream, g.rid()) - 1);
        Resume action = action(g.code());
        ledger.resumesSent[action.ordinal()]++;
        return action;
    }

    /**
     * Takes out of the queue, and from among the transactions waiting for room, every stall that {@code which} selects, and
     * hands each to {@code answer} (which must resume it): a device reset, a hot-unplug, a reset of the SMMU. Returns how many.
     */
    public int withdraw(Predicate<PageRequestGroup> which, Consumer<PageRequestGroup> answer, long nowNanos) {
        int n = 0;
        ArrayDeque<PageRequestGroup> taken = new ArrayDeque<>();
        for (ArrayDeque<PageRequestGroup> q : java.util.List.of(queue, waitingForRoom)) {
            for (Iterator<PageRequestGroup> it = q.iterator(); it.hasNext(); ) {
                PageRequestGroup g = it.next();
                if (which.test(g)) {
                    it.remove();
                    taken.add(g);
                }
            }
        }
        admitWaiting(nowNanos);
        for (PageRequestGroup g : taken) {
            answer.accept(g);
            n++;
        }
        return n;
    }

    /** Does the queue, or the line of transactions waiting for room, hold a stall of (SID, PASID handle)? */
    public boolean holds(int sid, int pasidKey) {
        for (ArrayDeque<PageRequestGroup> q : java.util.List.of(queue, waitingForRoom)) {
            for (PageRequestGroup g : q) {
                if (g.rid() == sid && (g.pasidPresent() ? g.pasid() : RoutingTable.NO_PASID) == pasidKey) return true;
            }
        }
        return false;
    }

    /** RETRY for Success, ABORT for Invalid or Response Failure. */
    public static Resume action(ResponseCode code) {
        return java.util.Objects.requireNonNull(code, "code") == ResponseCode.SUCCESS ? Resume.RETRY : Resume.ABORT;
    }

    /** Records on the queue, not yet read. */
    public int queued() { return queue.size(); }
    /** Stalled transactions whose record waits for room in the queue. */
    public int waiting() { return waitingForRoom.size(); }
    /** Stalls not yet resumed: queued, waiting, or read and awaiting the resume. */
    public int outstanding() { return used; }
    /** Outstanding stalls of stream {@code sid}. */
    public int outstanding(int sid) { return get(perStream, sid); }

    private int slot() {
        if (freeCount > 0) {
            used++;
            return free[--freeCount];
        }
        if (top == pool.length) {
            pool = java.util.Arrays.copyOf(pool, top * 2);
            stalledAt = java.util.Arrays.copyOf(stalledAt, top * 2);
            free = java.util.Arrays.copyOf(free, top * 2);
        }
        used++;
        return top++;
    }

    private static int get(LongIntMap m, long k) {
        int v = m.get(k);
        return v == LongIntMap.MISSING ? 0 : v;
    }

    private static long key(int sid, int stag) {
        return ((long) sid << 16) | stag;
    }
}
