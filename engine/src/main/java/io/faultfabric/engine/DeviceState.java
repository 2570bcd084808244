package io.faultfabric.engine;

import java.util.Arrays;

/**
 * The PRI side of one PCIe device: a physical function and its virtual functions, which share one
 * Outstanding Page Request Allocation (credits) and one PRI enable / Response Failure state. Each
 * function has its own RID and its own PRGI space. Single-threaded.
 *
 * <p>Or, built with {@code stalls}, a platform device behind an SMMUv3 that faults by stalling (the SMMUv3 stall
 * model): it has no PRI, so no PRGIs, stop markers or Response Failure state. Each fault is one transaction (one request,
 * L=1) that stays stalled until its one resume; the allocation is how many it can have stalled at once (its outstanding
 * transactions). A resume of RETRY (Success) or ABORT (Invalid, Failure) ends the transaction; neither turns anything off.
 * Not final only so that tests can build a device that breaks these rules on purpose, to prove the checkers.
 */
public class DeviceState {
    /** What became of a request the device was asked to send. */
    public enum Issue { ISSUED, NO_CREDIT, PRI_DISABLED, RESETTING, PRGI_BUSY, NOT_MY_RID,
        /** A stalling device has no PRI: it sends single faulting transactions (L=1), no multi-request groups or stop markers. */
        NOT_A_STALL }

    private final int[] rids;
    private final int allocation;
    private final boolean stalls;
    // a stalling device's stalled transactions: (sequence << 21 | PASID handle) -> how many; it knows which one a resume ends
    private final LongIntMap stalled;
    private final OutcomeLedger ledger = new OutcomeLedger();
    private final int[] groupRequests; // per function*512+prgi: requests sent in the group so far
    private final boolean[] closed;     // L=1 sent, awaiting the response
    private final int[] prgiCursor;
    private int creditsInUse;
    private int groupsOutstanding;
    private boolean priEnabled = true;
    private boolean responseFailureStatus;
    private boolean unexpectedPrgiStatus;
    private boolean resetting;

    public DeviceState(int[] rids, int allocation) {
        this(rids, allocation, false);
    }

    /**
     * @param stalls true for a stalling (SMMUv3 stall model) platform device: one function, and {@code allocation} is the
     *               most transactions it has stalled at once, 1..65,536 (a STAG is 16 bits)
     */
    public DeviceState(int[] rids, int allocation, boolean stalls) {
        if (rids.length == 0) throw new IllegalArgumentException("rids must name at least the physical function");
        if (allocation < 1) throw new IllegalArgumentException("allocation (outstanding page request allocation) must be >= 1, was " + allocation);
        for (int i = 0; i < rids.length; i++) Rid.check(rids[i], "rids[" + i + "]");
        if (stalls && rids.length != 1) throw new IllegalArgumentException("a stalling device is a platform device with one stream: rids must name one, was " + rids.length);
        if (stalls && allocation > StallEventQueue.STAGS) {
            throw new IllegalArgumentException("allocation (stalled transactions at once) of a stalling device must be 1..65536, the STAGs of its stream, was " + allocation);
        }
        this.stalls = stalls;
        this.stalled = stalls ? new LongIntMap(Math.min(allocation, 1 << 12)) : null;
        this.rids = rids.clone();
        this.allocation = allocation;
        this.groupRequests = new int[rids.length * Prgi.COUNT];
        this.closed = new boolean[rids.length * Prgi.COUNT];
        this.prgiCursor = new int[rids.length];
    }

    public int pfRid() { return rids[0]; }
    /** A stalling platform device (SMMUv3 stall model) rather than a PRI device. */
    public boolean stalls() { return stalls; }
    public int[] rids() { return rids.clone(); }
    public int allocation() { return allocation; }
    public int creditsInUse() { return creditsInUse; }
    public int creditsFree() { return allocation - creditsInUse; }
    public int groupsOutstanding() { return groupsOutstanding; }
    public boolean priEnabled() { return priEnabled && !resetting; }
    public boolean responseFailureStatus() { return responseFailureStatus; }
    public boolean unexpectedPrgiStatus() { return unexpectedPrgiStatus; }
    public boolean resetting() { return resetting; }
    public OutcomeLedger ledger() { return ledger; }

    public int functionOf(int rid) {
        for (int i = 0; i < rids.length; i++) if (rids[i] == rid) return i;
        return -1;
    }

    /** A free PRGI of the function, or -1 when all 512 are outstanding. */
    public int allocatePrgi(int function) {
        int base = function * Prgi.COUNT;
        for (int k = 0; k < Prgi.COUNT; k++) {
            int p = (prgiCursor[function] + k) & Prgi.MAX;
            if (groupRequests[base + p] == 0 && !closed[base + p]) {
                prgiCursor[function] = (p + 1) & Prgi.MAX;
                return p;
            }
        }
        return -1;
    }

    /** Can the device start a group of {@code requests} requests now? */
    public boolean canIssue(int requests) {
        return priEnabled && !resetting && creditsInUse + requests <= allocation;
    }

    /** The device sends one request, if its PRI state, PRGI and credits allow. */
    public Issue issue(PageRequest r) {
        int fn = functionOf(r.rid());
        if (fn < 0) return Issue.NOT_MY_RID;
        if (stalls) return stall(r);
        if (resetting) return Issue.RESETTING;
        if (!priEnabled) {
            ledger.dropped[DropReason.PRI_DISABLED.ordinal()]++;
            return Issue.PRI_DISABLED;
        }
        if (r.isStopMarker()) {
            ledger.stopMarkersIssued++;
            return Issue.ISSUED;
        }
        int slot = fn * Prgi.COUNT + r.prgi();
        if (closed[slot]) return Issue.PRGI_BUSY;
        if (creditsInUse >= allocation) return Issue.NO_CREDIT;
        creditsInUse++;
        groupRequests[slot]++;
        ledger.requestsIssued++;
        if (r.last()) {
            closed[slot] = true;
            groupsOutstanding++;
            ledger.groupsIssued++;
        }
        return Issue.ISSUED;
    }

    private Issue stall(PageRequest r) {
        if (!r.last() || r.isStopMarker()) return Issue.NOT_A_STALL;
        if (resetting) return Issue.RESETTING;
        if (creditsInUse >= allocation) return Issue.NO_CREDIT;
        creditsInUse++;
        groupsOutstanding++;
        ledger.requestsIssued++;
        ledger.groupsIssued++;
        ledger.stallsIssued++;
        long k = transaction(r.sequence(), r.pasidPresent(), r.pasid());
        int n = stalled.get(k);
        stalled.put(k, n == LongIntMap.MISSING ? 1 : n + 1);
        return Issue.ISSUED;
    }

    private static long transaction(long sequence, boolean pasidPresent, int pasid) {
        return ((sequence << 21) | (pasidPresent ? pasid : 1 << 20)) & Long.MAX_VALUE; // the map takes keys >= 0
    }

    /** The resume of one stalled transaction: RETRY or ABORT by its code; nothing is disabled. */
    private boolean onResume(PageRequestGroup g) {
        long k = transaction(g.sequence(), g.pasidPresent(), g.pasid());
        int n = g.isStall() && g.rid() == rids[0] ? stalled.get(k) : LongIntMap.MISSING;
        if (n == LongIntMap.MISSING) {
            // a resume for no transaction it has stalled (a second one): nothing to end, nothing given back
            ledger.unexpectedResumes++;
            return false;
        }
        if (n == 1) stalled.remove(k);
        else stalled.put(k, n - 1);
        creditsInUse--;
        groupsOutstanding--;
        ledger.requestsInAnsweredGroups++;
        if (g.autoReason() != null) ledger.autoReceived[g.autoReason().ordinal()]++;
        else ledger.answeredReceived[g.code().ordinal()]++;
        ledger.resumesReceived[StallEventQueue.action(g.code()).ordinal()]++;
        if (resetting && groupsOutstanding == 0) finishReset();
        return true;
    }

    /** A Page Group Response arrives: credits of the whole group come back, or the PRGI was unexpected. */
    public boolean onResponse(PageRequestGroup g) {
        if (stalls) return onResume(g);
        int fn = functionOf(g.rid());
        int slot = fn < 0 ? -1 : fn * Prgi.COUNT + g.prgi();
        if (slot < 0 || !closed[slot]) {
            unexpectedPrgiStatus = true;
            ledger.unexpectedPrgi++;
            return false;
        }
        creditsInUse -= groupRequests[slot];
        groupRequests[slot] = 0;
        closed[slot] = false;
        groupsOutstanding--;
        ledger.requestsInAnsweredGroups += g.requestCount();
        if (g.autoReason() != null) ledger.autoReceived[g.autoReason().ordinal()]++;
        else ledger.answeredReceived[g.code().ordinal()]++;
        if (g.code() == ResponseCode.RESPONSE_FAILURE && priEnabled) {
            // the PF and all its VFs stop PRI and keep Response Failure set until reset
            priEnabled = false;
            responseFailureStatus = true;
            ledger.priDisabledEvents++;
        }
        if (resetting && groupsOutstanding == 0) finishReset();
        return true;
    }

    /**
     * Starts a function-level reset: no new requests; groups not yet closed are forgotten (their
     * credits come back); closed groups are answered by the IOMMU's reset; PRI comes back when the
     * last of them is in. Returns true when the reset finished at once.
     */
    public boolean beginReset() {
        resetting = true;
        for (int i = 0; i < groupRequests.length; i++) {
            if (!closed[i] && groupRequests[i] > 0) {
                creditsInUse -= groupRequests[i];
                groupRequests[i] = 0;
            }
        }
        if (groupsOutstanding == 0) {
            finishReset();
            return true;
        }
        return false;
    }

    private void finishReset() {
        resetting = false;
        priEnabled = true;
        responseFailureStatus = false;
        unexpectedPrgiStatus = false;
        Arrays.fill(prgiCursor, 0);
    }
}
