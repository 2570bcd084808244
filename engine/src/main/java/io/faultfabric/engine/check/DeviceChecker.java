package io.faultfabric.engine.check;

import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.Prgi;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.Rid;

/**
 * Watches one device (PF and VFs) from outside its own bookkeeping: what it sent and what came
 * back. State is per outstanding group (a slot per function and PRGI), never a log of events,
 * so it stays on in every run. Checks invariants 1, 2, 3, 7 and 8.
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

    public DeviceChecker(int[] rids, int allocation, Violations violations) {
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

    /** The device put a request on the link. */
    public void onIssued(PageRequest r) {
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
        int n = 0;
        for (long s : openSequence) if (s >= 0) n++;
        return n;
    }

    /** At the end of a drained run every closed group must have had its response. */
    public void finish(Violations into) {
        for (int s = 0; s < openSequence.length; s++) {
            if (openSequence[s] >= 0) {
                into.record(Invariant.ONE_RESPONSE_PER_GROUP, "lost: device " + new Rid(rids[s / Prgi.COUNT])
                    + " prgi " + (s % Prgi.COUNT) + " group sequence " + openSequence[s] + " never answered [pasid " + slotPasid[s]
                    + ", " + slotRequests[s] + " requests sent, L=1 sent, no response]");
            }
        }
    }
}
