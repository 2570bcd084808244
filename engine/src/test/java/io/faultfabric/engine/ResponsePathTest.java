package io.faultfabric.engine;

import org.junit.jupiter.api.Test;

import static io.faultfabric.engine.Faults.req;
import static io.faultfabric.engine.UnitRig.OWNER_BASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Response validation, timeouts, handler failure, reset, removal and teardown in one IOMMU unit. */
class ResponsePathTest {
    private static final int PF = 0x100, VF = 0x101;
    private static final int OWNER_A = OWNER_BASE + 10, OWNER_B = OWNER_BASE + 20;

    private final UnitRig rig = UnitRig.vtd(16, PF, VF).attach(PF, 1, 10).attach(PF, 2, 20).attach(VF, 1, 10);

    private PageRequestGroup dispatch(PageRequest... rs) {
        rig.send(rs);
        return rig.out.lastDispatched();
    }

    @Test
    void theHandlersAnswerIsDeliveredOnce() {
        PageRequestGroup g = dispatch(req(PF, 1, 3, false), req(PF, 1, 3, true));
        assertThat(rig.answer(g, ResponseCode.SUCCESS)).isNull();
        assertThat(rig.out.responses).singleElement().isSameAs(g);
        assertThat(g.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(g.autoReason()).isNull();
        assertThat(g.isAnswered()).isTrue();
        assertThat(rig.core.isOutstanding(g)).isFalse();
        assertThat(rig.core.outstandingCount()).isZero();
        assertThat(rig.core.ledger().answeredSent[ResponseCode.SUCCESS.ordinal()]).isEqualTo(1);
    }

    @Test
    void aSecondAnswerIsRejectedAsNoOutstandingGroup() {
        PageRequestGroup g = dispatch(req(PF, 1, 3, true));
        rig.answer(g, ResponseCode.INVALID);
        assertThat(rig.answer(g, ResponseCode.SUCCESS)).isEqualTo(RejectReason.NO_OUTSTANDING_GROUP);
        assertThat(rig.out.responses).hasSize(1);
        assertThat(g.code()).isEqualTo(ResponseCode.INVALID);
        assertThat(rig.core.ledger().rejected(RejectReason.NO_OUTSTANDING_GROUP)).isEqualTo(1);
        assertThat(rig.out.rejections).singleElement().satisfies(x -> {
            assertThat(x.reason()).isEqualTo(RejectReason.NO_OUTSTANDING_GROUP);
            assertThat(x.from()).isEqualTo(OWNER_A);
            assertThat(x.prgi()).isEqualTo(3);
        });
    }

    @Test
    void anAnswerFromAnotherOwnerIsRejectedAndTheGroupStaysOutstanding() {
        PageRequestGroup g = dispatch(req(PF, 1, 3, true));
        assertThat(rig.core.respond(g, OWNER_B, ResponseCode.SUCCESS)).isEqualTo(RejectReason.WRONG_HANDLER);
        assertThat(rig.out.responses).isEmpty();
        assertThat(rig.core.isOutstanding(g)).isTrue();
        assertThat(rig.core.ledger().rejected(RejectReason.WRONG_HANDLER)).isEqualTo(1);
        assertThat(rig.core.respond(g, OWNER_A, ResponseCode.SUCCESS)).isNull();
    }

    @Test
    void anAnswerNamingAnotherPasidIsRejected() {
        PageRequestGroup g = dispatch(req(PF, 1, 3, true));
        assertThat(rig.core.respond(PF, 2, 3, g.groupId(), OWNER_A, ResponseCode.SUCCESS, null)).isEqualTo(RejectReason.PASID_MISMATCH);
        assertThat(rig.core.isOutstanding(g)).isTrue();
    }

    @Test
    void anAnswerToAnEarlierGroupOnAReusedPrgiIsStale() {
        PageRequestGroup first = dispatch(req(PF, 1, 3, true));
        rig.core.expire(rig.now + 10, 10); // answered by timeout; the device may reuse PRGI 3
        PageRequestGroup second = dispatch(req(PF, 1, 3, true));
        assertThat(second.groupId()).isNotEqualTo(first.groupId());
        assertThat(rig.answer(first, ResponseCode.SUCCESS)).isEqualTo(RejectReason.STALE_GROUP);
        assertThat(rig.core.isOutstanding(second)).isTrue();
        assertThat(rig.answer(second, ResponseCode.SUCCESS)).isNull();
    }

    @Test
    void anAnswerForAnUnknownDeviceOrPrgiIsRejected() {
        assertThat(rig.core.respond(0x300, 1, 3, 0, OWNER_A, ResponseCode.SUCCESS, null)).isEqualTo(RejectReason.UNKNOWN_DEVICE);
        assertThat(rig.core.respond(-1, 1, 3, 0, OWNER_A, ResponseCode.SUCCESS, null)).isEqualTo(RejectReason.UNKNOWN_DEVICE);
        assertThat(rig.core.respond(0x10000, 1, 3, 0, OWNER_A, ResponseCode.SUCCESS, null)).isEqualTo(RejectReason.UNKNOWN_DEVICE);
        assertThat(rig.core.respond(PF, 1, 512, 0, OWNER_A, ResponseCode.SUCCESS, null)).isEqualTo(RejectReason.NO_OUTSTANDING_GROUP);
        assertThat(rig.core.respond(PF, 1, -1, 0, OWNER_A, ResponseCode.SUCCESS, null)).isEqualTo(RejectReason.NO_OUTSTANDING_GROUP);
        assertThat(rig.core.ledger().responsesRejected()).isEqualTo(5);
        assertThat(rig.out.responses).isEmpty();
    }

    @Test
    void aHandlersOwnAutomaticAnswerIsCountedByReason() {
        PageRequestGroup g = dispatch(req(PF, 1, 3, true));
        rig.core.respond(g.rid(), g.pasid(), g.prgi(), g.groupId(), OWNER_A, ResponseCode.RESPONSE_FAILURE, AutoReason.OWNER_QUEUE_FULL);
        assertThat(g.autoReason()).isEqualTo(AutoReason.OWNER_QUEUE_FULL);
        assertThat(g.code()).isEqualTo(ResponseCode.RESPONSE_FAILURE);
        assertThat(rig.core.ledger().autoSent[AutoReason.OWNER_QUEUE_FULL.ordinal()]).isEqualTo(1);
        assertThat(rig.core.ledger().answeredSent[ResponseCode.RESPONSE_FAILURE.ordinal()]).isZero();
    }

    @Test
    void expireAnswersGroupsOlderThanTheTimeoutOldestFirst() {
        rig.now = 0;
        PageRequestGroup a = dispatch(req(PF, 1, 1, true));
        rig.now = 100;
        PageRequestGroup b = dispatch(req(PF, 1, 2, true));
        rig.now = 150;
        PageRequestGroup c = dispatch(req(VF, 1, 1, true));
        assertThat(rig.core.oldestDispatchNanos()).isZero();
        assertThat(rig.core.expire(99, 100)).isZero();
        assertThat(rig.core.expire(200, 100)).isEqualTo(2);
        assertThat(rig.out.responses).containsExactly(a, b);
        assertThat(a.autoReason()).isEqualTo(AutoReason.TIMEOUT);
        assertThat(a.code()).isEqualTo(ResponseCode.INVALID);
        assertThat(rig.core.isOutstanding(c)).isTrue();
        assertThat(rig.core.oldestDispatchNanos()).isEqualTo(150);
        // the handler's late answer is rejected
        assertThat(rig.answer(b, ResponseCode.SUCCESS)).isEqualTo(RejectReason.NO_OUTSTANDING_GROUP);
        rig.answer(c, ResponseCode.SUCCESS);
        assertThat(rig.core.oldestDispatchNanos()).isEqualTo(-1);
        assertThat(rig.core.expire(Long.MAX_VALUE, 1)).isZero();
    }

    @Test
    void expireSkipsGroupsAnsweredOutOfOrder() {
        PageRequestGroup a = dispatch(req(PF, 1, 1, true));
        PageRequestGroup b = dispatch(req(PF, 1, 2, true));
        PageRequestGroup c = dispatch(req(PF, 1, 3, true));
        rig.answer(b, ResponseCode.SUCCESS);
        assertThat(rig.core.expire(10, 0)).isEqualTo(2);
        assertThat(rig.out.responses).containsExactly(b, a, c);
        assertThat(rig.core.ledger().autoSent[AutoReason.TIMEOUT.ordinal()]).isEqualTo(2);
    }

    @Test
    void handlerFailedGivesResponseFailureToThatHandlersGroupsOnly() {
        PageRequestGroup a1 = dispatch(req(PF, 1, 1, true));
        PageRequestGroup b = dispatch(req(PF, 2, 2, true));
        PageRequestGroup a2 = dispatch(req(VF, 1, 1, true));
        assertThat(rig.core.handlerFailed(OWNER_A, AutoReason.HANDLER_FAILED, rig.now)).isEqualTo(2);
        assertThat(rig.out.responses).containsExactly(a1, a2);
        assertThat(rig.out.responses).allSatisfy(g -> {
            assertThat(g.code()).isEqualTo(ResponseCode.RESPONSE_FAILURE);
            assertThat(g.autoReason()).isEqualTo(AutoReason.HANDLER_FAILED);
        });
        assertThat(rig.core.isOutstanding(b)).isTrue();
        assertThat(rig.core.handlerFailed(OWNER_A, AutoReason.HANDLER_FAILED, rig.now)).isZero();
    }

    @Test
    void answerAllProcessesTheQueueThenAnswersEverythingAndFreesPartials() {
        PageRequestGroup a = dispatch(req(PF, 1, 1, true));
        rig.send(req(PF, 1, 5, false));               // partial
        rig.offer(req(VF, 1, 2, false), req(VF, 1, 2, true)); // still queued
        assertThat(rig.core.answerAll(AutoReason.SHUTDOWN, rig.now)).isEqualTo(2);
        assertThat(rig.core.queueDepth()).isZero();
        assertThat(rig.core.outstandingCount()).isZero();
        assertThat(rig.out.dispatched).hasSize(2);
        assertThat(rig.out.responses).hasSize(2).allSatisfy(g -> assertThat(g.autoReason()).isEqualTo(AutoReason.SHUTDOWN));
        assertThat(rig.out.responses.get(0)).isSameAs(a);
        assertThat(rig.out.responses.get(1).requestCount()).isEqualTo(2);
        assertThat(rig.out.dropsFor(DropReason.PARTIAL_DISCARDED)).isEqualTo(1);
        // nothing is left to answer a second time
        assertThat(rig.core.answerAll(AutoReason.SHUTDOWN, rig.now)).isZero();
        assertThat(rig.out.responses).hasSize(2);
    }

    @Test
    void resetOfAFunctionAnswersItsGroupsAndFreesItsPartialsSilently() {
        PageRequestGroup pf = dispatch(req(PF, 1, 1, true));
        PageRequestGroup vf = dispatch(req(VF, 1, 1, true));
        rig.send(req(PF, 1, 2, false), req(PF, 1, 2, false), req(VF, 1, 3, false));
        rig.core.resetDevice(PF, rig.now);
        assertThat(rig.out.responses).singleElement().isSameAs(pf);
        assertThat(pf.autoReason()).isEqualTo(AutoReason.DEVICE_RESET);
        assertThat(pf.code()).isEqualTo(ResponseCode.INVALID);
        assertThat(rig.out.dropsFor(DropReason.PARTIAL_DISCARDED)).isEqualTo(2);
        assertThat(rig.core.isOutstanding(vf)).isTrue();
        // the VF's partial survived
        rig.send(req(VF, 1, 3, true));
        assertThat(rig.out.lastDispatched().requestCount()).isEqualTo(2);
        // the PF still works after its reset
        rig.send(req(PF, 1, 2, true));
        assertThat(rig.out.lastDispatched().requestCount()).isEqualTo(1);
    }

    @Test
    void resetDropsTheQueuedRequestsOfOpenGroupsButNotOfClosedOnesStillQueued() {
        rig.offer(req(PF, 1, 1, false), req(PF, 1, 1, false), // open group 1: the device forgets it
            req(PF, 1, 2, false), req(PF, 1, 2, true));       // closed group 2: the device awaits its answer
        rig.core.resetDevice(PF, rig.now);
        rig.drainAll();
        assertThat(rig.out.dropsFor(DropReason.PARTIAL_DISCARDED)).isEqualTo(2);
        assertThat(rig.out.dispatched).singleElement().satisfies(g -> {
            assertThat(g.prgi()).isEqualTo(2);
            assertThat(g.requestCount()).isEqualTo(2);
        });
        // after the reset the device starts PRGI 1 afresh: the new group holds only its own request
        rig.send(req(PF, 1, 1, true));
        assertThat(rig.out.lastDispatched().requestCount()).isEqualTo(1);
    }

    @Test
    void removeAnswersPendingGroupsInvalid() {
        PageRequestGroup g = dispatch(req(VF, 1, 1, true));
        rig.core.removeDevice(VF, rig.now);
        assertThat(g.autoReason()).isEqualTo(AutoReason.DEVICE_RESET);
        assertThat(g.code()).isEqualTo(ResponseCode.INVALID);
        // a removed function stays removed: its later requests are malformed
        rig.send(req(VF, 1, 1, true));
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.MALFORMED);
        assertThat(rig.out.dispatched).hasSize(1);
    }

    @Test
    void aDeviceThatReusesAnOutstandingPrgiGetsItsNewGroupAnsweredMalformed() {
        PageRequestGroup g = dispatch(req(PF, 1, 1, true));
        rig.send(req(PF, 1, 1, true)); // a device bug: the hardware never lets this through
        assertThat(rig.out.dispatched).hasSize(1);
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.MALFORMED);
        assertThat(rig.core.isOutstanding(g)).isTrue();
    }

    @Test
    void constructorRefusesBadArguments() {
        RoutingTable t = new RoutingTable(1, io -> io);
        assertThatThrownBy(() -> new IommuCore(-1, IommuKind.VTD, 4, RoutingMode.OWNER, new int[] {1}, new int[] {1}, t, rig.out))
            .hasMessageStartingWith("index");
        assertThatThrownBy(() -> new IommuCore(0, IommuKind.VTD, 0, RoutingMode.OWNER, new int[] {1}, new int[] {1}, t, rig.out))
            .hasMessageStartingWith("queueDepth");
        assertThatThrownBy(() -> new IommuCore(0, IommuKind.VTD, 4, RoutingMode.OWNER, new int[] {1, 2}, new int[] {1}, t, rig.out))
            .hasMessageContaining("same length");
        assertThatThrownBy(() -> new IommuCore(0, IommuKind.VTD, 4, RoutingMode.OWNER, new int[] {1, 1}, new int[] {1, 1}, t, rig.out))
            .hasMessageContaining("appears twice");
        assertThatThrownBy(() -> new IommuCore(0, IommuKind.VTD, 4, RoutingMode.OWNER, new int[] {0x10000}, new int[] {1}, t, rig.out))
            .hasMessageStartingWith("rids[0]");
        assertThatThrownBy(() -> new IommuCore(0, null, 4, RoutingMode.OWNER, new int[] {1}, new int[] {1}, t, rig.out))
            .isInstanceOf(NullPointerException.class).hasMessage("kind");
    }
}
