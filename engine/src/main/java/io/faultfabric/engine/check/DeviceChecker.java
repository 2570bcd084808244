package io.faultfabric.engine.check;

import io.faultfabric.engine.LongIntMap;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.Prgi;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.Rid;

/**
 * Watches one device (PF and VFs) from outside its own bookkeeping: what it sent and what came
 * back. State is per outstanding group (a slot per function and PRGI), never a log of events,
 * so it stays on in every run. Checks invariants 1, 2, 3, 7 and 8.
 *
 * <p>For a stalling device (SMMUv3 stall model) the unit is the stalled transaction, known to the device by its sequence
 * number and PASID (the STAG is the SMMU's, not the device's): at most its limit stalled at once (3), each resumed exactly
 * once (1 and 8: a second resume of a transaction it made is a duplicate, a resume of one it never made matches nothing),
 * and no Response Failure rule (7): a stalling device has no PRI to disable.
 */
public final class DeviceChecker {
    private final int[] rids;
    private final int allocation;
    private final Violations violations;
    private final long[] openSequence;   // per slot: sequence of the closed group awaiting its answer, -1 none
    private final int[] slotRequests;
    private final int[] slotPasid;       // per slot: the PASID (or -1 without one) of the group sent there last
    private final long[] lastAnswered;   // per slot: sequence of the last group answered there
    private int inFlight;
    private boolean failed;
    private boolean resetting;
    private final boolean stalls;
    // stalling device: (sequence << 21 | PASID handle) -> transactions stalled with it, and the highest sequence issued
    private final LongIntMap stalled;
    private long maxStallSequence = -1;

    public DeviceChecker(int[] rids, int allocation, Violations violations) {
        this(rids, allocation, false, violations);
    }

    public DeviceChecker(int[] rids, int allocation, boolean stalls, Violations violations) {
        this.stalls = stalls;
        this.stalled = stalls ? new LongIntMap(Math.min(allocation, 1 << 12)) : null;
        this.rids = rids.clone();
        this.allocation = allocation;
        this.violations = violations;
        this.openSequence = new long[rids.length * Prgi.COUNT];
        this.slotRequests = new int[rids.length * Prgi.COUNT];
        this.slotPasid = new int[rids.length * Prgi.COUNT];
        this.lastAnswered = new long[rids.length * Prgi.COUNT];
        java.util.Arrays.fill(openSequence, -1);
        java.util.Arrays.fill(lastAnswered, -1);
    }

    private int slot(int rid, int prgi) {
        for (int i = 0; i < rids.length; i++) if (rids[i] == rid) return i * Prgi.COUNT + prgi;
        return -1;
    }

    private static long stallKey(long sequence, boolean pasidPresent, int pasid) {
        return ((sequence << 21) | (pasidPresent ? pasid : 1 << 20)) & Long.MAX_VALUE; // the map takes keys >= 0
    }

    private void onStallIssued(PageRequest r) {
        inFlight++;
        if (inFlight > allocation) {
            violations.record(Invariant.CREDITS_WITHIN_ALLOCATION, "stalling device " + new Rid(rids[0]) + " has " + inFlight
                + " transactions stalled, limit " + allocation + ", at " + r);
        }
        long k = stallKey(r.sequence(), r.pasidPresent(), r.pasid());
        int n = stalled.get(k);
        stalled.put(k, n == LongIntMap.MISSING ? 1 : n + 1);
        if (r.sequence() > maxStallSequence) maxStallSequence = r.sequence();
    }

    private void onResume(PageRequestGroup g) {
        if (!g.isStall()) {
            violations.record(Invariant.RESPONSE_MATCHES_GROUP, "a page group response reached stalling device " + new Rid(rids[0])
                + ", which has no PRI: " + g + " " + g.history());
            return;
        }
        long k = stallKey(g.sequence(), g.pasidPresent(), g.pasid());
        int n = stalled.get(k);
        if (n == LongIntMap.MISSING || g.rid() != rids[0]) {
            boolean duplicate = g.rid() == rids[0] && g.sequence() >= 0 && g.sequence() <= maxStallSequence;
            violations.record(duplicate ? Invariant.STOP_MARKERS_UNANSWERED : Invariant.RESPONSE_MATCHES_GROUP,
                (duplicate ? "second resume of a stalled transaction of device " : "resume matching no stalled transaction of device ")
                    + new Rid(rids[0]) + ": " + g + " " + g.history());
            return;
        }
        if (n == 1) stalled.remove(k);
        else stalled.put(k, n - 1);
        inFlight--;
    }

    /** The device put a request on the link. */
    public void onIssued(PageRequest r) {
        if (stalls) {
            onStallIssued(r);
            return;
        }
        if (failed) {
            violations.record(Invariant.PRI_DISABLED_AFTER_FAILURE, "device " + new Rid(rids[0])
                + " sent " + r + " after a Response Failure and before a reset");
        }
        if (r.isStopMarker()) return;
        inFlight++;
        if (inFlight > allocation) {
            violations.record(Invariant.CREDITS_WITHIN_ALLOCATION, "device " + new Rid(rids[0]) + " has " + inFlight
                + " requests in flight, allocation " + allocation + ", at " + r);
        }
        int s = slot(r.rid(), r.prgi());
        slotRequests[s]++;
        if (r.last()) {
            openSequence[s] = r.sequence();
            slotPasid[s] = r.pasidPresent() ? r.pasid() : -1;
        }
    }

    /** A Page Group Response reached the device. */
    public void onResponse(PageRequestGroup g) {
        if (stalls) {
            onResume(g);
            return;
        }
        if (g.lastRequest() != null && g.lastRequest().isStopMarker()) {
            violations.record(Invariant.STOP_MARKERS_UNANSWERED, "a stop marker was answered: " + g + " " + g.history());
            return;
        }
        int s = slot(g.rid(), g.prgi());
        if (s < 0 || openSequence[s] < 0 || openSequence[s] != g.sequence() || slotPasid[s] != (g.pasidPresent() ? g.pasid() : -1)) {
            boolean duplicate = s >= 0 && lastAnswered[s] == g.sequence() && openSequence[s] != g.sequence();
            violations.record(duplicate ? Invariant.ONE_RESPONSE_PER_GROUP : Invariant.RESPONSE_MATCHES_GROUP,
                (duplicate ? "second response to " : "response matching no outstanding group of device " + new Rid(rids[0]) + ": ")
                    + g + " " + g.history() + (s < 0 ? "; its RID is not a function of this device"
                    : openSequence[s] < 0 ? "; nothing outstanding at its PRGI" : "; outstanding at its PRGI: sequence " + openSequence[s]
                    + " pasid " + slotPasid[s]));
            return;
        }
        lastAnswered[s] = openSequence[s];
        openSequence[s] = -1;
        inFlight -= slotRequests[s];
        slotRequests[s] = 0;
        if (g.code() == ResponseCode.RESPONSE_FAILURE) failed = true;
    }

    /** The device began a reset: open (not closed) groups are forgotten by the device. */
    public void onResetBegun() {
        resetting = true;
        for (int s = 0; s < openSequence.length; s++) {
            if (openSequence[s] < 0 && slotRequests[s] > 0) {
                inFlight -= slotRequests[s];
                slotRequests[s] = 0;
            }
        }
    }

    /** The reset finished: PRI may be used again. */
    public void onResetDone() {
        resetting = false;
        failed = false;
    }

    public boolean resetting() { return resetting; }

    public int inFlight() { return inFlight; }

    /** Groups still awaiting their response. */
    public int outstandingGroups() {
        if (stalls) return inFlight;
        int n = 0;
        for (long s : openSequence) if (s >= 0) n++;
        return n;
    }

    /** At the end of a drained run every closed group must have had its response. */
    public void finish(Violations into) {
        if (stalls) {
            stalled.forEach((key, n) -> into.record(Invariant.ONE_RESPONSE_PER_GROUP, "lost: stalling device " + new Rid(rids[0])
                + " transaction sequence " + (key >>> 21) + " pasid " + ((key & ((1 << 21) - 1)) == 1 << 20 ? "none" : String.valueOf(key & ((1 << 21) - 1)))
                + (n > 1 ? " (" + n + " of them)" : "") + " stalled and never resumed"));
            return;
        }
        for (int s = 0; s < openSequence.length; s++) {
            if (openSequence[s] >= 0) {
                into.record(Invariant.ONE_RESPONSE_PER_GROUP, "lost: device " + new Rid(rids[s / Prgi.COUNT])
                    + " prgi " + (s % Prgi.COUNT) + " group sequence " + openSequence[s] + " never answered [pasid " + slotPasid[s]
                    + ", " + slotRequests[s] + " requests sent, L=1 sent, no response]");
            }
        }
    }
}
