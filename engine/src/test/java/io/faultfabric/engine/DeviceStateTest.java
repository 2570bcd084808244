package io.faultfabric.engine;

import org.junit.jupiter.api.Test;

import static io.faultfabric.engine.Faults.answered;
import static io.faultfabric.engine.Faults.req;
import static io.faultfabric.engine.Faults.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceStateTest {
    private static final int PF = 0x100, VF1 = 0x101, VF2 = 0x102;

    private final DeviceState dev = new DeviceState(new int[] {PF, VF1, VF2}, 3);

    @Test
    void constructorRefusesBadArgumentsByName() {
        assertThatThrownBy(() -> new DeviceState(new int[0], 1)).hasMessageContaining("rids");
        assertThatThrownBy(() -> new DeviceState(new int[] {PF}, 0)).hasMessageStartingWith("allocation");
        assertThatThrownBy(() -> new DeviceState(new int[] {PF, 0x10000}, 1)).hasMessageStartingWith("rids[1] ");
    }

    @Test
    void creditsAreSharedByPfAndVfsAndOverrunIsRefused() {
        assertThat(dev.issue(req(PF, 1, 0, false))).isEqualTo(DeviceState.Issue.ISSUED);
        assertThat(dev.issue(req(VF1, 1, 0, true))).isEqualTo(DeviceState.Issue.ISSUED);
        assertThat(dev.issue(req(VF2, 1, 0, true))).isEqualTo(DeviceState.Issue.ISSUED);
        assertThat(dev.creditsInUse()).isEqualTo(3);
        assertThat(dev.creditsFree()).isZero();
        assertThat(dev.canIssue(1)).isFalse();
        assertThat(dev.issue(req(PF, 1, 0, true))).isEqualTo(DeviceState.Issue.NO_CREDIT);
        assertThat(dev.issue(req(VF2, 1, 9, true))).isEqualTo(DeviceState.Issue.NO_CREDIT);
        assertThat(dev.creditsInUse()).isEqualTo(3);
        assertThat(dev.ledger().requestsIssued).isEqualTo(3);
        assertThat(dev.ledger().groupsIssued).isEqualTo(2);
        assertThat(dev.groupsOutstanding()).isEqualTo(2);
    }

    @Test
    void canIssueCountsTheWholeGroup() {
        assertThat(dev.canIssue(3)).isTrue();
        assertThat(dev.canIssue(4)).isFalse();
        dev.issue(req(PF, 1, 0, false));
        assertThat(dev.canIssue(2)).isTrue();
        assertThat(dev.canIssue(3)).isFalse();
    }

    @Test
    void stopMarkersTakeNoCredit() {
        dev.issue(req(PF, 1, 0, true));
        dev.issue(req(PF, 1, 1, true));
        dev.issue(req(PF, 1, 2, true));
        assertThat(dev.issue(stop(PF, 1, 3))).isEqualTo(DeviceState.Issue.ISSUED);
        assertThat(dev.creditsInUse()).isEqualTo(3);
        assertThat(dev.ledger().stopMarkersIssued).isEqualTo(1);
        assertThat(dev.ledger().requestsIssued).isEqualTo(3);
    }

    @Test
    void aClosedPrgiIsBusyUntilItsResponseButOnlyOnItsOwnFunction() {
        dev.issue(req(PF, 1, 5, true));
        assertThat(dev.issue(req(PF, 1, 5, true))).isEqualTo(DeviceState.Issue.PRGI_BUSY);
        assertThat(dev.issue(req(PF, 2, 5, false))).isEqualTo(DeviceState.Issue.PRGI_BUSY);
        assertThat(dev.issue(req(VF1, 1, 5, true))).isEqualTo(DeviceState.Issue.ISSUED);
        assertThat(dev.onResponse(answered(ResponseCode.SUCCESS, null, req(PF, 1, 5, true)))).isTrue();
        assertThat(dev.issue(req(PF, 1, 5, true))).isEqualTo(DeviceState.Issue.ISSUED);
    }

    @Test
    void aRidOfAnotherDeviceIsNotIssued() {
        assertThat(dev.issue(req(0x200, 1, 0, true))).isEqualTo(DeviceState.Issue.NOT_MY_RID);
        assertThat(dev.functionOf(VF2)).isEqualTo(2);
        assertThat(dev.functionOf(0x200)).isEqualTo(-1);
        assertThat(dev.pfRid()).isEqualTo(PF);
        assertThat(dev.rids()).containsExactly(PF, VF1, VF2);
    }

    @Test
    void theResponseReturnsTheCreditsOfEveryRequestInTheGroup() {
        dev.issue(req(VF1, 1, 7, false));
        dev.issue(req(VF1, 1, 7, false));
        dev.issue(req(VF1, 1, 7, true));
        assertThat(dev.creditsInUse()).isEqualTo(3);
        // the IOMMU may have dropped one of them: credits still come back for all three
        boolean ok = dev.onResponse(answered(ResponseCode.SUCCESS, null, req(VF1, 1, 7, false), req(VF1, 1, 7, true)));
        assertThat(ok).isTrue();
        assertThat(dev.creditsInUse()).isZero();
        assertThat(dev.groupsOutstanding()).isZero();
        assertThat(dev.ledger().requestsInAnsweredGroups).isEqualTo(2);
        assertThat(dev.ledger().answered(ResponseCode.SUCCESS)).isEqualTo(1);
    }

    @Test
    void automaticAnswersAreCountedByReason() {
        dev.issue(req(PF, 1, 1, true));
        dev.onResponse(answered(null, AutoReason.QUEUE_OVERFLOW, req(PF, 1, 1, true)));
        assertThat(dev.ledger().auto(AutoReason.QUEUE_OVERFLOW)).isEqualTo(1);
        assertThat(dev.ledger().answered(ResponseCode.SUCCESS)).isZero();
        assertThat(dev.ledger().completedWith(ResponseCode.SUCCESS)).isEqualTo(1);
    }

    @Test
    void anUnexpectedPrgiIsIgnoredAndSetsTheStatusBit() {
        dev.issue(req(PF, 1, 1, true));
        dev.issue(req(PF, 1, 2, false)); // open, not closed: a response naming it is unexpected too
        assertThat(dev.onResponse(answered(ResponseCode.SUCCESS, null, req(PF, 1, 9, true)))).isFalse();
        assertThat(dev.onResponse(answered(ResponseCode.SUCCESS, null, req(PF, 1, 2, true)))).isFalse();
        assertThat(dev.onResponse(answered(ResponseCode.SUCCESS, null, req(0x200, 1, 1, true)))).isFalse();
        assertThat(dev.unexpectedPrgiStatus()).isTrue();
        assertThat(dev.ledger().unexpectedPrgi).isEqualTo(3);
        assertThat(dev.creditsInUse()).isEqualTo(2);
        assertThat(dev.groupsOutstanding()).isEqualTo(1);
        // answering the same group twice: the second is unexpected
        assertThat(dev.onResponse(answered(ResponseCode.SUCCESS, null, req(PF, 1, 1, true)))).isTrue();
        assertThat(dev.onResponse(answered(ResponseCode.SUCCESS, null, req(PF, 1, 1, true)))).isFalse();
        assertThat(dev.ledger().unexpectedPrgi).isEqualTo(4);
    }

    @Test
    void responseFailureDisablesPriForThePfAndEveryVfUntilReset() {
        dev.issue(req(VF1, 1, 1, true));
        dev.issue(req(PF, 1, 2, true));
        dev.onResponse(answered(ResponseCode.RESPONSE_FAILURE, null, req(VF1, 1, 1, true)));
        assertThat(dev.priEnabled()).isFalse();
        assertThat(dev.responseFailureStatus()).isTrue();
        assertThat(dev.ledger().priDisabledEvents).isEqualTo(1);
        assertThat(dev.canIssue(1)).isFalse();
        assertThat(dev.issue(req(PF, 1, 3, true))).isEqualTo(DeviceState.Issue.PRI_DISABLED);
        assertThat(dev.issue(req(VF2, 1, 3, true))).isEqualTo(DeviceState.Issue.PRI_DISABLED);
        assertThat(dev.issue(stop(VF1, 1, 3))).isEqualTo(DeviceState.Issue.PRI_DISABLED);
        assertThat(dev.ledger().dropped(DropReason.PRI_DISABLED)).isEqualTo(3);
        // a second failure while disabled is not a second event
        dev.onResponse(answered(ResponseCode.RESPONSE_FAILURE, null, req(PF, 1, 2, true)));
        assertThat(dev.ledger().priDisabledEvents).isEqualTo(1);
        assertThat(dev.creditsInUse()).isZero();
        // still disabled with nothing outstanding: only a reset brings PRI back
        assertThat(dev.issue(req(PF, 1, 3, true))).isEqualTo(DeviceState.Issue.PRI_DISABLED);
        assertThat(dev.beginReset()).isTrue();
        assertThat(dev.priEnabled()).isTrue();
        assertThat(dev.responseFailureStatus()).isFalse();
        assertThat(dev.issue(req(VF2, 1, 3, true))).isEqualTo(DeviceState.Issue.ISSUED);
    }

    @Test
    void resetWaitsForClosedGroupsAndForgetsOpenOnes() {
        dev.issue(req(PF, 1, 1, false));   // open group: forgotten by the reset
        dev.issue(req(VF1, 1, 2, true));   // closed: the reset waits for its answer
        dev.onResponse(answered(ResponseCode.SUCCESS, null, req(PF, 1, 77, true))); // sets the unexpected bit
        assertThat(dev.beginReset()).isFalse();
        assertThat(dev.resetting()).isTrue();
        assertThat(dev.priEnabled()).isFalse();
        assertThat(dev.creditsInUse()).isEqualTo(1);
        assertThat(dev.issue(req(PF, 1, 3, true))).isEqualTo(DeviceState.Issue.RESETTING);
        assertThat(dev.canIssue(1)).isFalse();
        dev.onResponse(answered(null, AutoReason.DEVICE_RESET, req(VF1, 1, 2, true)));
        assertThat(dev.resetting()).isFalse();
        assertThat(dev.priEnabled()).isTrue();
        assertThat(dev.unexpectedPrgiStatus()).isFalse();
        assertThat(dev.creditsInUse()).isZero();
        // the forgotten PRGI is free again
        assertThat(dev.issue(req(PF, 1, 1, true))).isEqualTo(DeviceState.Issue.ISSUED);
    }

    @Test
    void allocatePrgiHandsOutFreeIndicesUntilAll512AreOutstanding() {
        DeviceState d = new DeviceState(new int[] {PF}, 1024);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < Prgi.COUNT; i++) {
            int p = d.allocatePrgi(0);
            assertThat(p).isBetween(0, Prgi.MAX);
            assertThat(seen.add(p)).as("prgi %d handed out twice", p).isTrue();
            assertThat(d.issue(req(PF, 1, p, true))).isEqualTo(DeviceState.Issue.ISSUED);
        }
        assertThat(d.allocatePrgi(0)).isEqualTo(-1);
        d.onResponse(answered(ResponseCode.SUCCESS, null, req(PF, 1, 300, true)));
        assertThat(d.allocatePrgi(0)).isEqualTo(300);
    }

    @Test
    void allocatePrgiSkipsOpenGroups() {
        dev.issue(req(PF, 1, 0, false));
        assertThat(dev.allocatePrgi(0)).isEqualTo(1);
        assertThat(dev.allocatePrgi(1)).isEqualTo(0);
    }
}
