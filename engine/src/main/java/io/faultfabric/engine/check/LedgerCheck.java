package io.faultfabric.engine.check;

import io.faultfabric.engine.DropReason;
import io.faultfabric.engine.OutcomeLedger;

/**
 * Invariant 9: the counts of a run add up. It also compares the responses the IOMMUs sent with those
 * the devices received, which is invariant 1 counted from both ends (a response lost on the way).
 */
public final class LedgerCheck {
    private LedgerCheck() {}

    /**
     * @param outstandingGroups groups the devices still await, counted by the devices
     * @param requestsInFlight  requests the devices still count against their allocation: those of groups not yet
     *                          closed (partial groups are kept, they never time out) and of groups awaiting their answer
     * @param drained           true when the run has ended and every queue is empty: then nothing may be unaccounted for
     */
    public static void check(OutcomeLedger l, long outstandingGroups, long requestsInFlight, boolean drained, Violations v) {
        long groups = l.groupsCompleted() + outstandingGroups;
        if (l.groupsIssued != groups) {
            v.record(Invariant.OUTCOMES_ADD_UP, "groups issued " + l.groupsIssued + " != answered " + l.groupsAnsweredByHandler()
                + " + auto-answered " + l.groupsAutoAnswered() + " + outstanding " + outstandingGroups);
        }
        if (drained) {
            if (l.resumesSent() > l.resumesReceived() + l.unexpectedResumes) {
                v.record(Invariant.ONE_RESPONSE_PER_GROUP, "resumes sent by SMMUs " + l.resumesSent() + " > received by stalling devices "
                    + l.resumesReceived() + " + unexpected " + l.unexpectedResumes + ": resumes lost on the way");
            }
            long dropped = l.requestsDropped() - l.dropped(DropReason.PRI_DISABLED); // never issued: refused by the device itself
            if (l.requestsIssued != l.requestsInAnsweredGroups + dropped + requestsInFlight) {
                v.record(Invariant.OUTCOMES_ADD_UP, "requests issued " + l.requestsIssued + " != in answered groups "
                    + l.requestsInAnsweredGroups + " + dropped " + dropped + " + in flight " + requestsInFlight);
            }
            long markers = l.stopMarkersConsumed + l.dropped(DropReason.STOP_MARKER_OVERFLOW);
            if (l.stopMarkersIssued != markers) {
                v.record(Invariant.OUTCOMES_ADD_UP, "stop markers issued " + l.stopMarkersIssued + " != consumed "
                    + l.stopMarkersConsumed + " + dropped on overflow " + (markers - l.stopMarkersConsumed));
            }
            long sent = 0;
            for (long x : l.answeredSent) sent += x;
            for (long x : l.autoSent) sent += x;
            // only a shortfall: a response delivered twice or to the wrong device is caught, and classified, by the
            // device's checker as it arrives; counted here as well it would show as a second invariant broken
            if (sent > l.groupsCompleted() + l.unexpectedPrgi) {
                v.record(Invariant.ONE_RESPONSE_PER_GROUP, "responses sent by IOMMUs " + sent + " > received by devices "
                    + l.groupsCompleted() + " + unexpected " + l.unexpectedPrgi + ": responses lost on the way");
            }
        }
    }
}
