package io.faultfabric.engine.check;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.Faults;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.ResponseCode;
import org.junit.jupiter.api.Test;

import static io.faultfabric.engine.Faults.answered;
import static io.faultfabric.engine.Faults.req;
import static org.assertj.core.api.Assertions.assertThat;

class DeviceCheckerTest {
    private static final int PF = 0x100, VF = 0x101;

    private final Violations v = new Violations();
    private final DeviceChecker c = new DeviceChecker(new int[] {PF, VF}, 2, v);

    @Test
    void aNormalExchangeIsClean() {
        PageRequest a = req(PF, 1, 1, false, 1), b = req(PF, 1, 1, true, 1);
        c.onIssued(a);
        c.onIssued(b);
        assertThat(c.inFlight()).isEqualTo(2);
        assertThat(c.outstandingGroups()).isEqualTo(1);
        c.onResponse(answered(ResponseCode.SUCCESS, null, a, b));
        assertThat(c.inFlight()).isZero();
        assertThat(c.outstandingGroups()).isZero();
        c.finish(v);
        assertThat(v.none()).as(v.toString()).isTrue();
    }

    @Test
    void moreInFlightThanTheAllocationIsCaught() {
        c.onIssued(req(PF, 1, 1, true, 1));
        c.onIssued(req(VF, 1, 1, true, 2));
        assertThat(v.none()).isTrue();
        c.onIssued(Faults.stop(PF, 1, 2)); // takes no credit
        assertThat(v.none()).isTrue();
        c.onIssued(req(VF, 1, 2, true, 3));
        assertThat(v.count(Invariant.CREDITS_WITHIN_ALLOCATION)).isEqualTo(1);
        assertThat(v.total()).isEqualTo(1);
    }

    @Test
    void aSecondResponseIsADuplicate() {
        PageRequest r = req(PF, 1, 1, true, 7);
        c.onIssued(r);
        c.onResponse(answered(ResponseCode.SUCCESS, null, r));
        c.onResponse(answered(ResponseCode.SUCCESS, null, r));
        assertThat(v.count(Invariant.ONE_RESPONSE_PER_GROUP)).isEqualTo(1);
        assertThat(v.examples(Invariant.ONE_RESPONSE_PER_GROUP).get(0)).startsWith("second response to");
        assertThat(v.total()).isEqualTo(1);
    }

    @Test
    void aResponseToNothingOutstandingIsCaught() {
        c.onResponse(answered(ResponseCode.SUCCESS, null, req(PF, 1, 9, true, 3)));
        assertThat(v.count(Invariant.RESPONSE_MATCHES_GROUP)).isEqualTo(1);
        // the right PRGI but another group instance
        c.onIssued(req(PF, 1, 4, true, 10));
        c.onResponse(answered(ResponseCode.SUCCESS, null, req(PF, 1, 4, true, 11)));
        assertThat(v.count(Invariant.RESPONSE_MATCHES_GROUP)).isEqualTo(2);
    }

    @Test
    void anAnsweredStopMarkerIsCaught() {
        c.onResponse(answered(ResponseCode.INVALID, AutoReason.MALFORMED, Faults.stop(PF, 1, 0)));
        assertThat(v.count(Invariant.STOP_MARKERS_UNANSWERED)).isEqualTo(1);
        assertThat(v.total()).isEqualTo(1);
    }

    @Test
    void sendingAfterResponseFailureBeforeResetIsCaught() {
        PageRequest r = req(VF, 1, 1, true, 1);
        c.onIssued(r);
        c.onResponse(answered(ResponseCode.RESPONSE_FAILURE, null, r));
        c.onIssued(req(PF, 1, 2, true, 2));
        assertThat(v.count(Invariant.PRI_DISABLED_AFTER_FAILURE)).isEqualTo(1);
        c.onResetBegun();
        assertThat(c.resetting()).isTrue();
        c.onResetDone();
        c.onIssued(req(PF, 1, 3, true, 3));
        assertThat(v.count(Invariant.PRI_DISABLED_AFTER_FAILURE)).isEqualTo(1);
    }

    @Test
    void resetForgetsOpenGroupsButNotClosedOnes() {
        c.onIssued(req(PF, 1, 1, false, 1));
        c.onIssued(req(VF, 1, 1, true, 2));
        c.onResetBegun();
        assertThat(c.inFlight()).isEqualTo(1);
        c.finish(v);
        assertThat(v.count(Invariant.ONE_RESPONSE_PER_GROUP)).isEqualTo(1);
        assertThat(v.examples(Invariant.ONE_RESPONSE_PER_GROUP).get(0)).startsWith("lost:").contains("sequence 2");
    }
}
