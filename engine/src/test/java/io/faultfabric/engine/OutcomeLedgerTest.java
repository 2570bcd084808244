package io.faultfabric.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutcomeLedgerTest {

    private static OutcomeLedger sample() {
        OutcomeLedger l = new OutcomeLedger();
        l.requestsIssued = 10;
        l.groupsIssued = 6;
        l.stopMarkersIssued = 2;
        l.answeredReceived[ResponseCode.SUCCESS.ordinal()] = 3;
        l.answeredReceived[ResponseCode.INVALID.ordinal()] = 1;
        l.autoReceived[AutoReason.QUEUE_OVERFLOW.ordinal()] = 1;
        l.autoReceived[AutoReason.TIMEOUT.ordinal()] = 1;
        l.dropped[DropReason.PRQ_OVERFLOW.ordinal()] = 2;
        l.dropped[DropReason.STOP_MARKER_OVERFLOW.ordinal()] = 1;
        l.rejected[RejectReason.WRONG_HANDLER.ordinal()] = 4;
        l.queueHighWater = 7;
        return l;
    }

    @Test
    void sumsByOutcome() {
        OutcomeLedger l = sample();
        assertThat(l.groupsAnsweredByHandler()).isEqualTo(4);
        assertThat(l.groupsAutoAnswered()).isEqualTo(2);
        assertThat(l.groupsCompleted()).isEqualTo(6);
        // a stop marker is not a request: dropping one is not a dropped request
        assertThat(l.requestsDropped()).isEqualTo(2);
        assertThat(l.responsesRejected()).isEqualTo(4);
        assertThat(l.completedWith(ResponseCode.SUCCESS)).isEqualTo(4);
        assertThat(l.completedWith(ResponseCode.INVALID)).isEqualTo(2);
        assertThat(l.completedWith(ResponseCode.RESPONSE_FAILURE)).isZero();
        assertThat(l.answered(ResponseCode.SUCCESS)).isEqualTo(3);
        assertThat(l.auto(AutoReason.TIMEOUT)).isEqualTo(1);
        assertThat(l.dropped(DropReason.PRQ_OVERFLOW)).isEqualTo(2);
        assertThat(l.rejected(RejectReason.WRONG_HANDLER)).isEqualTo(4);
    }

    @Test
    void mergeAddsCountsAndTakesTheHighestWaterMark() {
        OutcomeLedger a = sample();
        OutcomeLedger b = sample();
        b.queueHighWater = 3;
        a.merge(b);
        assertThat(a.groupsIssued).isEqualTo(12);
        assertThat(a.groupsCompleted()).isEqualTo(12);
        assertThat(a.requestsDropped()).isEqualTo(4);
        assertThat(a.queueHighWater).isEqualTo(7);
        OutcomeLedger c = a.copy();
        assertThat(c.outcomes()).isEqualTo(a.outcomes());
        c.groupsIssued++;
        assertThat(a.groupsIssued).isEqualTo(12);
    }

    @Test
    void outcomesLeaveZerosOut() {
        assertThat(new OutcomeLedger().outcomes()).isEmpty();
        assertThat(sample().outcomes()).containsEntry("answered.SUCCESS", 3L).containsEntry("auto.QUEUE_OVERFLOW", 1L)
            .containsEntry("dropped.STOP_MARKER_OVERFLOW", 1L).containsEntry("rejected.WRONG_HANDLER", 4L)
            .doesNotContainKey("answered.RESPONSE_FAILURE");
        assertThat(sample().toString()).contains("issued=6 groups/10 requests");
    }
}
