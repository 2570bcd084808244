package io.faultfabric.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.faultfabric.engine.Faults.req;
import static io.faultfabric.engine.Faults.stop;
import static org.assertj.core.api.Assertions.assertThat;

/** The page request queue's overflow rule of each IOMMU kind. */
class QueueOverflowTest {
    private static final int A = 0x100, B = 0x200;

    private static UnitRig rig(IommuKind kind, int depth) {
        return new UnitRig(kind, depth, RoutingMode.OWNER, A, B).attach(A, 1, 1).attach(B, 1, 2);
    }

    // ---------------------------------------------------------------- VT-d: PRO

    @Test
    void vtdSetsProWhenTheRingIsFullAndDropsNewNonLastRequests() {
        UnitRig r = rig(IommuKind.VTD, 2);
        r.offer(req(A, 1, 1, false), req(A, 1, 2, false));
        assertThat(r.core.overflowing()).isFalse();
        assertThat(r.core.queueDepth()).isEqualTo(2);
        r.offer(req(A, 1, 3, false));
        assertThat(r.core.overflowing()).isTrue();
        assertThat(r.out.dropsFor(DropReason.PRQ_OVERFLOW)).isEqualTo(1);
        assertThat(r.core.ledger().overflowEvents).isEqualTo(1);
        assertThat(r.core.ledger().queueHighWater).isEqualTo(2);
        assertThat(r.core.queueDepth()).isEqualTo(2);
    }

    @Test
    void vtdAnswersALastRequestSuccessWhileProIsSet() {
        UnitRig r = rig(IommuKind.VTD, 1);
        r.offer(req(A, 1, 1, false), req(B, 1, 4, true));
        assertThat(r.out.responses).hasSize(1);
        PageRequestGroup g = r.out.lastResponse();
        assertThat(g.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(g.autoReason()).isEqualTo(AutoReason.QUEUE_OVERFLOW);
        assertThat(g.rid()).isEqualTo(B);
        assertThat(g.requestCount()).isEqualTo(1);
        assertThat(r.out.dispatched).isEmpty();
        assertThat(r.core.ledger().autoSent[AutoReason.QUEUE_OVERFLOW.ordinal()]).isEqualTo(1);
    }

    @Test
    void vtdDropsStopMarkersWhileProIsSet() {
        UnitRig r = rig(IommuKind.VTD, 1);
        r.offer(req(A, 1, 1, false), stop(A, 1, 0));
        assertThat(r.out.dropsFor(DropReason.STOP_MARKER_OVERFLOW)).isEqualTo(1);
        assertThat(r.out.responses).isEmpty();
    }

    @Test
    void vtdKeepsDroppingWhileProIsSetEvenWithRoomInTheRing() {
        UnitRig r = rig(IommuKind.VTD, 2);
        r.offer(req(A, 1, 1, false), req(A, 1, 2, false), req(A, 1, 3, false));
        assertThat(r.core.drain(1, 0)).isEqualTo(1);
        assertThat(r.core.overflowing()).isTrue();
        r.offer(req(B, 1, 1, false));
        assertThat(r.out.dropsFor(DropReason.PRQ_OVERFLOW)).isEqualTo(2);
        assertThat(r.core.queueDepth()).isEqualTo(1);
        assertThat(r.core.ledger().overflowEvents).isEqualTo(1);
    }

    @Test
    void vtdClearsProOnlyWithTheRingEmptyAndThenDiscardsEveryDevicesPartialGroups() {
        UnitRig r = rig(IommuKind.VTD, 2);
        // partial groups of both devices, already assembled
        r.send(req(A, 1, 1, false), req(B, 1, 2, false));
        r.send(req(A, 1, 3, false), req(A, 1, 3, false));
        // fill the ring with partials of both devices, then overflow
        r.offer(req(A, 1, 5, false), req(B, 1, 6, false), req(B, 1, 7, false));
        assertThat(r.core.overflowing()).isTrue();
        r.core.drain(1, 0);
        assertThat(r.core.overflowing()).isTrue();
        assertThat(r.out.dropsFor(DropReason.PARTIAL_DISCARDED)).isZero();
        r.core.drain(1, 0);
        assertThat(r.core.overflowing()).isFalse();
        // A:1, B:2, A:3 (2 requests), A:5, B:6 = 6 requests in 5 partial groups
        assertThat(r.out.dropsFor(DropReason.PARTIAL_DISCARDED)).isEqualTo(6);
        assertThat(r.out.drops).filteredOn(d -> d.reason() == DropReason.PARTIAL_DISCARDED)
            .extracting(d -> d.request().rid()).contains(A, B);
        assertThat(r.core.ledger().dropped(DropReason.PARTIAL_DISCARDED)).isEqualTo(6);
        // the groups start over: their last requests now make groups of one
        r.send(req(A, 1, 3, true), req(B, 1, 2, true));
        assertThat(r.out.dispatched).extracting(PageRequestGroup::requestCount).containsExactly(1, 1);
        // and the ring takes requests again
        r.offer(req(A, 1, 8, false));
        assertThat(r.core.queueDepth()).isEqualTo(1);
    }

    @Test
    void vtdWithoutOverflowKeepsPartialGroupsWhenTheRingEmpties() {
        UnitRig r = rig(IommuKind.VTD, 4);
        r.send(req(A, 1, 1, false), req(B, 1, 2, false));
        assertThat(r.out.drops).isEmpty();
        r.send(req(A, 1, 1, true));
        assertThat(r.out.lastDispatched().requestCount()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- SMMUv3 and RISC-V: the hardware answers, partials kept

    @ParameterizedTest
    @EnumSource(value = IommuKind.class, names = {"SMMUV3", "RISCV"})
    void overflowAnswersLastSuccessIgnoresTheRestAndKeepsPartials(IommuKind kind) {
        UnitRig r = rig(kind, 2);
        r.send(req(A, 1, 1, false), req(B, 1, 2, false));   // partials assembled before the overflow
        r.offer(req(A, 1, 3, false), req(A, 1, 4, false));  // fills the queue
        r.offer(req(A, 1, 3, false), req(B, 1, 9, true), stop(A, 1, 0));
        assertThat(r.core.overflowing()).isTrue();
        assertThat(r.out.dropsFor(DropReason.PRIQ_OVERFLOW)).isEqualTo(1);
        assertThat(r.out.dropsFor(DropReason.PRQ_OVERFLOW)).isZero();
        assertThat(r.out.dropsFor(DropReason.STOP_MARKER_OVERFLOW)).isEqualTo(1);
        assertThat(r.out.responses).singleElement().satisfies(g -> {
            assertThat(g.code()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(g.autoReason()).isEqualTo(AutoReason.QUEUE_OVERFLOW);
            assertThat(g.prgi()).isEqualTo(9);
        });
        r.drainAll();
        assertThat(r.core.overflowing()).isFalse();
        assertThat(r.out.dropsFor(DropReason.PARTIAL_DISCARDED)).isZero();
        r.send(req(A, 1, 1, true));
        r.send(req(B, 1, 2, true));
        r.send(req(A, 1, 3, true));
        assertThat(r.out.dispatched).extracting(PageRequestGroup::requestCount).containsExactly(2, 2, 2);
    }

    @ParameterizedTest
    @EnumSource(IommuKind.class)
    void anAutoAnsweredGroupIsClosedItsPrgiFreeAtOnce(IommuKind kind) {
        UnitRig r = rig(kind, 1);
        r.send(req(A, 1, 5, false));                 // assembled partial of PRGI 5
        r.offer(req(B, 1, 1, false), req(A, 1, 5, true)); // ring full: the L=1 is answered by the hardware
        assertThat(r.out.lastResponse().autoReason()).isEqualTo(AutoReason.QUEUE_OVERFLOW);
        r.drainAll();
        // the device reuses PRGI 5 at once: the new group does not inherit the old one's requests
        r.send(req(A, 1, 5, true));
        assertThat(r.out.lastDispatched().requestCount()).isEqualTo(1);
        assertThat(r.out.responses).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(IommuKind.class)
    void requestsStillQueuedWhenTheHardwareAnswersTheirGroupJoinNoLaterGroup(IommuKind kind) {
        UnitRig r = rig(kind, 2);
        r.offer(req(A, 1, 5, false), req(A, 1, 5, false)); // the queue is full of group 5's first requests
        r.offer(req(A, 1, 5, true));                       // its last overflows: answered by the hardware
        assertThat(r.out.lastResponse().autoReason()).isEqualTo(AutoReason.QUEUE_OVERFLOW);
        assertThat(r.out.lastResponse().requestCount()).isEqualTo(1);
        r.drainAll();
        assertThat(r.out.dropsFor(DropReason.PARTIAL_DISCARDED)).isEqualTo(2);
        // the device reuses PRGI 5 at once: its new group holds only its own requests
        r.send(req(A, 1, 5, false));
        r.send(req(A, 1, 5, true));
        assertThat(r.out.lastDispatched().requestCount()).isEqualTo(2);
        // every request is accounted for: 1 answered by the hardware + 2 discarded + 2 in the new group
        assertThat(r.core.ledger().dropped(DropReason.PARTIAL_DISCARDED)).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(IommuKind.class)
    void overflowLastsUntilTheQueueIsEmpty(IommuKind kind) {
        UnitRig r = rig(kind, 3);
        r.offer(req(A, 1, 1, true), req(A, 1, 2, true), req(A, 1, 3, true), req(A, 1, 4, true));
        r.core.drain(2, 0);
        assertThat(r.core.overflowing()).isTrue();
        r.offer(req(B, 1, 1, true));
        assertThat(r.out.responses).extracting(PageRequestGroup::autoReason).containsOnly(AutoReason.QUEUE_OVERFLOW).hasSize(2);
        r.core.drain(5, 0);
        assertThat(r.core.overflowing()).isFalse();
        r.offer(req(B, 1, 2, true));
        assertThat(r.core.queueDepth()).isEqualTo(1);
        assertThat(r.core.ledger().overflowEvents).isEqualTo(1);
        assertThat(r.core.queueCapacity()).isEqualTo(3);
    }
}
