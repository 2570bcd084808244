package io.faultfabric.engine.check;

import io.faultfabric.engine.OutcomeLedger;

/** Invariant 9: the counts of a run add up. */
public final class LedgerCheck {
    private LedgerCheck() {}

    /**
     * @param outstandingGroups groups the devices still await, counted by the devices
     * @param drained           true when the run has ended and every queue is empty: then nothing may remain
     */
    public static void check(OutcomeLedger l, long outstandingGroups, long requestsInFlight, boolean drained, Violations v) {
        long groups = l.groupsCompleted() + outstandingGroups;
        if (l.groupsIssued != groups) {
            v.record(Invariant.OUTCOMES_ADD_UP, "groups issued " + l.groupsIssued + " != answered " + l.groupsAnsweredByHandler()
                + " + auto-answered " + l.groupsAutoAnswered() + " + outstanding " + outstandingGroups);
        }
        if (drained) {
            long requests = l.requestsInAnsweredGroups + l.requestsDropped() - l.dropped[io.faultfabric.engine.DropReason.PRI_DISABLED.ordinal()];
            if (l.requestsIssued != requests || requestsInFlight != 0) {
                v.record(Invariant.OUTCOMES_ADD_UP, "requests issued " + l.requestsIssued + " != in answered groups "
                    + l.requestsInAnsweredGroups + " + dropped " + requests + "-" + l.requestsInAnsweredGroups
                    + " (in flight " + requestsInFlight + ")");
            }
            long markers = l.stopMarkersConsumed + l.dropped(io.faultfabric.engine.DropReason.STOP_MARKER_OVERFLOW);
            if (l.stopMarkersIssued != markers) {
                v.record(Invariant.OUTCOMES_ADD_UP, "stop markers issued " + l.stopMarkersIssued + " != consumed "
                    + l.stopMarkersConsumed + " + dropped on overflow " + (markers - l.stopMarkersConsumed));
            }
            long sent = 0;
            for (long x : l.answeredSent) sent += x;
            for (long x : l.autoSent) sent += x;
            if (sent != l.groupsCompleted() + l.unexpectedPrgi) {
                v.record(Invariant.OUTCOMES_ADD_UP, "responses sent by IOMMUs " + sent + " != received by devices "
                    + l.groupsCompleted() + " + unexpected " + l.unexpectedPrgi);
            }
        }
    }
}
