package io.faultfabric.engine;

import org.junit.jupiter.api.Test;

import static io.faultfabric.engine.Faults.at;
import static io.faultfabric.engine.Faults.noPasid;
import static io.faultfabric.engine.Faults.req;
import static io.faultfabric.engine.Faults.stop;
import static io.faultfabric.engine.Faults.withPerm;
import static io.faultfabric.engine.UnitRig.OWNER_BASE;
import static org.assertj.core.api.Assertions.assertThat;

/** Group assembly, stop markers and malformed requests in one IOMMU unit. */
class GroupAssemblyTest {
    private static final int PF = 0x100, VF = 0x101, OTHER = 0x200;

    private final UnitRig rig = UnitRig.vtd(64, PF, VF, OTHER).attach(PF, 1, 10).attach(VF, 1, 11).attach(PF, 2, 12).attach(OTHER, 1, 13);

    @Test
    void aSingleLastRequestIsAGroupOfOne() {
        rig.send(req(PF, 1, 3, true));
        assertThat(rig.out.dispatched).hasSize(1);
        PageRequestGroup g = rig.out.lastDispatched();
        assertThat(g.requestCount()).isEqualTo(1);
        assertThat(g.isClosed()).isTrue();
        assertThat(g.handler()).isEqualTo(OWNER_BASE + 10);
        assertThat(g.ioasid()).isEqualTo(10);
        assertThat(g.groupId()).isGreaterThanOrEqualTo(0);
        assertThat(rig.core.outstandingCount()).isEqualTo(1);
        assertThat(rig.core.ledger().groupsDispatched).isEqualTo(1);
    }

    @Test
    void aGroupIsDispatchedOnlyOnItsLastRequestWithEveryRequestInOrder() {
        PageRequest a = at(PF, 1, 3, Faults.page(10), false), b = at(PF, 1, 3, Faults.page(11), false), c = at(PF, 1, 3, Faults.page(12), true);
        rig.send(a, b);
        assertThat(rig.out.dispatched).isEmpty();
        assertThat(rig.core.outstandingCount()).isZero();
        rig.send(c);
        assertThat(rig.out.dispatched).hasSize(1);
        assertThat(rig.out.lastDispatched().requests()).containsExactly(a, b, c);
        assertThat(rig.out.lastDispatched().lastRequest()).isEqualTo(c);
        assertThat(rig.out.responses).isEmpty();
    }

    @Test
    void interleavedPrgisAssembleIndependently() {
        rig.send(req(PF, 1, 1, false), req(PF, 1, 2, false), req(PF, 1, 1, false), req(PF, 1, 2, true));
        assertThat(rig.out.dispatched).hasSize(1);
        assertThat(rig.out.lastDispatched().prgi()).isEqualTo(2);
        assertThat(rig.out.lastDispatched().requestCount()).isEqualTo(2);
        rig.send(req(PF, 1, 1, true));
        assertThat(rig.out.dispatched).hasSize(2);
        assertThat(rig.out.lastDispatched().prgi()).isEqualTo(1);
        assertThat(rig.out.lastDispatched().requestCount()).isEqualTo(3);
    }

    @Test
    void theSamePrgiOnAnotherFunctionIsAnotherGroup() {
        rig.send(req(PF, 1, 4, false), req(VF, 1, 4, false), req(VF, 1, 4, true));
        assertThat(rig.out.dispatched).hasSize(1);
        assertThat(rig.out.lastDispatched().rid()).isEqualTo(VF);
        assertThat(rig.out.lastDispatched().requestCount()).isEqualTo(2);
        assertThat(rig.out.lastDispatched().handler()).isEqualTo(OWNER_BASE + 11);
    }

    @Test
    void requestsOfOnePrgiJoinWhateverTheirPasidAndTheLastRequestDecidesRouting() {
        // partial groups are kept per device keyed by PRGI alone
        rig.send(req(PF, 2, 6, false), req(PF, 1, 6, true));
        assertThat(rig.out.lastDispatched().requestCount()).isEqualTo(2);
        assertThat(rig.out.lastDispatched().pasid()).isEqualTo(1);
        assertThat(rig.out.lastDispatched().handler()).isEqualTo(OWNER_BASE + 10);
    }

    @Test
    void stopMarkersAreConsumedNeverAnsweredAndLeaveGroupsAlone() {
        rig.send(req(PF, 1, 7, false), stop(PF, 1, 7), stop(PF, 2, 0));
        assertThat(rig.out.responses).isEmpty();
        assertThat(rig.out.dispatched).isEmpty();
        assertThat(rig.core.ledger().stopMarkersConsumed).isEqualTo(2);
        rig.send(req(PF, 1, 7, true));
        assertThat(rig.out.lastDispatched().requestCount()).isEqualTo(2);
    }

    @Test
    void aStopMarkerOfAnUnknownOrRemovedDeviceIsNotAnswered() {
        rig.core.removeDevice(OTHER, rig.now);
        rig.send(stop(0x300, 1, 0), stop(OTHER, 1, 0));
        assertThat(rig.out.responses).isEmpty();
        assertThat(rig.core.ledger().stopMarkersConsumed).isEqualTo(2);
        assertThat(rig.core.ledger().autoSent[AutoReason.MALFORMED.ordinal()]).isZero();
    }

    @Test
    void withoutAPasidTheStopMarkerBitsAreAnOrdinaryMalformedRequest() {
        rig.send(noPasid(PF, 2, 0, true));
        assertThat(rig.out.responses).hasSize(1);
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.MALFORMED);
        assertThat(rig.out.lastResponse().code()).isEqualTo(ResponseCode.INVALID);
    }

    @Test
    void noHandlerIsAnsweredInvalid() {
        rig.send(req(PF, 9, 1, false), req(PF, 9, 1, true));
        assertThat(rig.out.dispatched).isEmpty();
        assertThat(rig.out.responses).hasSize(1);
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.NO_HANDLER);
        assertThat(rig.out.lastResponse().code()).isEqualTo(ResponseCode.INVALID);
        assertThat(rig.out.lastResponse().requestCount()).isEqualTo(2);
        assertThat(rig.core.ledger().autoSent[AutoReason.NO_HANDLER.ordinal()]).isEqualTo(1);
    }

    @Test
    void aRequestWithoutPasidRoutesByTheRidLevelAttachment() {
        rig.send(noPasid(VF, 1, Permissions.READ, true));
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.NO_HANDLER);
        rig.attach(VF, RoutingTable.NO_PASID, 20);
        rig.send(noPasid(VF, 1, Permissions.READ, true));
        assertThat(rig.out.lastDispatched().handler()).isEqualTo(OWNER_BASE + 20);
        assertThat(rig.out.lastDispatched().pasidPresent()).isFalse();
    }

    // ---------------------------------------------------------------- malformed (VT-d: Invalid if last, else dropped)

    @Test
    void unknownRidIsInvalidIfLastElseDropped() {
        rig.send(req(0x300, 1, 1, false));
        assertThat(rig.out.dropsFor(DropReason.MALFORMED)).isEqualTo(1);
        assertThat(rig.out.responses).isEmpty();
        rig.send(req(0x300, 1, 1, true));
        assertThat(rig.out.responses).hasSize(1);
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.MALFORMED);
        assertThat(rig.out.lastResponse().deviceIndex()).isEqualTo(-1);
        assertThat(rig.core.ledger().dropped(DropReason.MALFORMED)).isEqualTo(1);
    }

    @Test
    void nonCanonicalAddressIsInvalidIfLastElseDropped() {
        long bad = 0x0000_8000_0000_0000L;
        rig.send(at(PF, 1, 1, bad, false));
        assertThat(rig.out.dropsFor(DropReason.MALFORMED)).isEqualTo(1);
        rig.send(at(PF, 1, 1, bad, true));
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.MALFORMED);
        assertThat(rig.out.dispatched).isEmpty();
    }

    @Test
    void neitherReadNorWriteIsInvalidIfLastElseDropped() {
        rig.send(withPerm(PF, 1, 1, 0, false), withPerm(PF, 1, 1, Permissions.EXEC, false));
        assertThat(rig.out.dropsFor(DropReason.MALFORMED)).isEqualTo(2);
        rig.send(noPasid(PF, 1, Permissions.PRIV, true));
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.MALFORMED);
        assertThat(rig.out.lastResponse().code()).isEqualTo(ResponseCode.INVALID);
    }

    @Test
    void aMalformedLastRequestTakesItsGroupWithIt() {
        rig.send(req(PF, 1, 5, false), req(PF, 1, 5, false), at(PF, 1, 5, 0xffff_0000_0000_0000L, true));
        assertThat(rig.out.dispatched).isEmpty();
        assertThat(rig.out.lastResponse().requestCount()).isEqualTo(3);
        // the PRGI is free: the next group on it starts empty
        rig.send(req(PF, 1, 5, true));
        assertThat(rig.out.lastDispatched().requestCount()).isEqualTo(1);
    }

    @Test
    void aWellFormedLastRequestAfterAMalformedOneClosesTheRestOfTheGroup() {
        rig.send(req(PF, 1, 5, false), withPerm(PF, 1, 5, 0, false), req(PF, 1, 5, true));
        assertThat(rig.out.lastDispatched().requestCount()).isEqualTo(2);
        assertThat(rig.core.ledger().dropped(DropReason.MALFORMED)).isEqualTo(1);
    }

    @Test
    void aRemovedDevicesRequestsAreMalformed() {
        rig.send(req(OTHER, 1, 1, false));
        rig.core.removeDevice(OTHER, rig.now);
        assertThat(rig.out.dropsFor(DropReason.PARTIAL_DISCARDED)).isEqualTo(1);
        rig.send(req(OTHER, 1, 1, false), req(OTHER, 1, 1, true));
        assertThat(rig.out.dispatched).isEmpty();
        assertThat(rig.out.dropsFor(DropReason.MALFORMED)).isEqualTo(1);
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.MALFORMED);
    }
}
