package io.faultfabric.engine.check;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.DropReason;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.ResponseCode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LedgerCheckTest {

    /** 5 groups of 8 requests and 2 stop markers, all accounted for, as device and IOMMU saw them. */
    private static OutcomeLedger balanced() {
        OutcomeLedger l = new OutcomeLedger();
        l.requestsIssued = 8;
        l.groupsIssued = 5;
        l.stopMarkersIssued = 2;
        l.answeredReceived[ResponseCode.SUCCESS.ordinal()] = 3;
        l.autoReceived[AutoReason.QUEUE_OVERFLOW.ordinal()] = 2;
        l.requestsInAnsweredGroups = 6;
        l.dropped[DropReason.PRQ_OVERFLOW.ordinal()] = 1;
        l.dropped[DropReason.PARTIAL_DISCARDED.ordinal()] = 1;
        l.stopMarkersConsumed = 1;
        l.dropped[DropReason.STOP_MARKER_OVERFLOW.ordinal()] = 1;
        l.answeredSent[ResponseCode.SUCCESS.ordinal()] = 3;
        l.autoSent[AutoReason.QUEUE_OVERFLOW.ordinal()] = 2;
        return l;
    }

    private static Violations check(OutcomeLedger l, long outstanding, long inFlight, boolean drained) {
        Violations v = new Violations();
        LedgerCheck.check(l, outstanding, inFlight, drained, v);
        return v;
    }

    @Test
    void aBalancedLedgerPasses() {
        assertThat(check(balanced(), 0, 0, true).none()).isTrue();
    }

    @Test
    void requestsRefusedForDisabledPriAreNotRequestsIssued() {
        OutcomeLedger l = balanced();
        l.dropped[DropReason.PRI_DISABLED.ordinal()] = 4;
        assertThat(check(l, 0, 0, true).none()).isTrue();
    }

    @Test
    void groupsMustBeAnsweredOrOutstanding() {
        OutcomeLedger l = balanced();
        l.groupsIssued = 6;
        assertThat(check(l, 0, 0, false).count(Invariant.OUTCOMES_ADD_UP)).isEqualTo(1);
        assertThat(check(l, 1, 1, false).none()).isTrue();
    }

    @Test
    void requestsMustAddUpOnceDrained() {
        OutcomeLedger l = balanced();
        l.requestsIssued = 9;
        Violations v = check(l, 0, 0, true);
        assertThat(v.count(Invariant.OUTCOMES_ADD_UP)).isEqualTo(1);
        assertThat(v.examples(Invariant.OUTCOMES_ADD_UP).get(0)).contains("requests issued 9");
        // mid-run the queues hold requests: not checked
        assertThat(check(l, 0, 0, false).none()).isTrue();
    }

    @Test
    void requestsOfGroupsStillOpenAtTheEndAreInFlightNotMissing() {
        // partial groups are kept (they never time out): their requests are neither answered nor dropped
        OutcomeLedger l = balanced();
        l.requestsIssued = 11;
        assertThat(check(l, 0, 3, true).none()).isTrue();
        assertThat(check(l, 0, 2, true).count(Invariant.OUTCOMES_ADD_UP)).isEqualTo(1);
    }

    @Test
    void stopMarkersMustBeConsumedOrDroppedOnOverflow() {
        OutcomeLedger l = balanced();
        l.stopMarkersIssued = 3;
        Violations v = check(l, 0, 0, true);
        assertThat(v.count(Invariant.OUTCOMES_ADD_UP)).isEqualTo(1);
        assertThat(v.examples(Invariant.OUTCOMES_ADD_UP).get(0)).contains("stop markers issued 3");
    }

    @Test
    void aResponseTheDevicesNeverSawIsALostResponse() {
        OutcomeLedger l = balanced();
        l.answeredSent[ResponseCode.SUCCESS.ordinal()] = 4;
        Violations v = check(l, 0, 0, true);
        assertThat(v.count(Invariant.ONE_RESPONSE_PER_GROUP)).isEqualTo(1);
        assertThat(v.examples(Invariant.ONE_RESPONSE_PER_GROUP).get(0)).contains("responses sent by IOMMUs 6 > received by devices 5");
    }

    @Test
    void unexpectedPrgisAccountForResponsesSentToNoOutstandingGroup() {
        OutcomeLedger l = balanced();
        l.autoSent[AutoReason.MALFORMED.ordinal()] = 1;
        l.unexpectedPrgi = 1;
        assertThat(check(l, 0, 0, true).none()).isTrue();
    }
}
