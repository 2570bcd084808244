package io.faultfabric.engine;

import org.junit.jupiter.api.Test;

import static io.faultfabric.engine.Faults.req;
import static io.faultfabric.engine.Faults.stop;
import static io.faultfabric.engine.UnitRig.DEVICE_OWNER_BASE;
import static io.faultfabric.engine.UnitRig.OWNER_BASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Routing by the attach handle of (RID, PASID), attach/detach/replace with the drain, and DEVICE mode. */
class RoutingTest {
    private static final int PF = 0x100, VF = 0x101, OTHER = 0x200;

    private final UnitRig rig = UnitRig.vtd(16, PF, VF, OTHER).attach(PF, 1, 10).attach(PF, 2, 20).attach(VF, 1, 30);

    @Test
    void ownerModeRoutesEachPasidToItsAddressSpacesOwner() {
        rig.send(req(PF, 1, 1, true), req(PF, 2, 2, true), req(VF, 1, 1, true));
        assertThat(rig.out.dispatched).extracting(PageRequestGroup::handler)
            .containsExactly(OWNER_BASE + 10, OWNER_BASE + 20, OWNER_BASE + 30);
        assertThat(rig.out.dispatched).extracting(PageRequestGroup::ioasid).containsExactly(10, 20, 30);
    }

    @Test
    void deviceModeRoutesEveryGroupOfAFunctionToItsDeviceOwner() {
        UnitRig d = new UnitRig(IommuKind.VTD, 16, RoutingMode.DEVICE, PF, VF).attach(PF, 1, 10).attach(PF, 2, 20).attach(VF, 1, 30);
        d.send(req(PF, 1, 1, true), req(PF, 2, 2, true), req(VF, 1, 1, true));
        assertThat(d.out.dispatched).extracting(PageRequestGroup::handler)
            .containsExactly(DEVICE_OWNER_BASE, DEVICE_OWNER_BASE, DEVICE_OWNER_BASE + 1);
        // the address space is still recorded: the device owner forwards to it
        assertThat(d.out.dispatched).extracting(PageRequestGroup::ioasid).containsExactly(10, 20, 30);
        // nothing attached at (RID, PASID): no handler, even in DEVICE mode
        d.send(req(PF, 3, 3, true));
        assertThat(d.out.lastResponse().autoReason()).isEqualTo(AutoReason.NO_HANDLER);
        assertThat(d.core.mode()).isEqualTo(RoutingMode.DEVICE);
    }

    @Test
    void attachErrors() {
        assertThatThrownBy(() -> rig.core.attach(PF, 1, 11)).isInstanceOf(IllegalStateException.class).hasMessageContaining("already attached");
        assertThatThrownBy(() -> rig.core.attach(0x300, 1, 11)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a device of IOMMU 0");
        assertThatThrownBy(() -> rig.core.detach(OTHER, 1, 0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("is not attached");
        assertThatThrownBy(() -> rig.core.replace(OTHER, 1, 5, 0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("is not attached");
        assertThatThrownBy(() -> rig.core.replace(0x300, 1, 5, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void detachAnswersTheOldOwnersPendingGroupsOfThatPasidOnly() {
        rig.send(req(PF, 1, 1, true), req(PF, 1, 2, true), req(PF, 2, 3, true), req(VF, 1, 1, true));
        PageRequestGroup first = rig.out.dispatched.get(0);
        rig.core.detach(PF, 1, rig.now);
        assertThat(rig.out.responses).hasSize(2).allSatisfy(g -> {
            assertThat(g.autoReason()).isEqualTo(AutoReason.DETACHED);
            assertThat(g.code()).isEqualTo(ResponseCode.INVALID);
            assertThat(g.rid()).isEqualTo(PF);
            assertThat(g.pasid()).isEqualTo(1);
        });
        assertThat(rig.core.outstandingCount()).isEqualTo(2);
        assertThat(rig.core.isOutstanding(first)).isFalse();
        // the old owner's late answer is rejected, not delivered
        assertThat(rig.answer(first, ResponseCode.SUCCESS)).isEqualTo(RejectReason.NO_OUTSTANDING_GROUP);
        assertThat(rig.out.responses).hasSize(2);
        assertThat(rig.core.ledger().autoSent[AutoReason.DETACHED.ordinal()]).isEqualTo(2);
    }

    @Test
    void detachWithNothingQueuedFreesThePasidAtOnce() {
        rig.core.detach(PF, 1, rig.now);
        assertThat(rig.out.wasDrained(PF, 1)).isTrue();
        assertThat(rig.core.routing().isDraining(PF, 1)).isFalse();
        assertThat(rig.core.ledger().pasidsDrained).isEqualTo(1);
        rig.core.attach(PF, 1, 11);
        rig.send(req(PF, 1, 1, true));
        assertThat(rig.out.lastDispatched().handler()).isEqualTo(OWNER_BASE + 11);
    }

    @Test
    void aPasidCannotBeReattachedWhileTheQueueHoldsOneOfItsRequests() {
        rig.offer(req(PF, 1, 1, false), req(PF, 1, 1, true));
        rig.core.detach(PF, 1, rig.now);
        assertThat(rig.core.queueHolds(PF, 1)).isTrue();
        assertThat(rig.core.routing().isDraining(PF, 1)).isTrue();
        assertThat(rig.out.wasDrained(PF, 1)).isFalse();
        assertThatThrownBy(() -> rig.core.attach(PF, 1, 11)).isInstanceOf(IllegalStateException.class).hasMessageContaining("draining");
        rig.drainAll();
        // the queued group found no handler: answered Invalid, never given to anyone
        assertThat(rig.out.dispatched).isEmpty();
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.NO_HANDLER);
        assertThat(rig.out.wasDrained(PF, 1)).isTrue();
        rig.core.attach(PF, 1, 11);
        assertThat(rig.core.routing().ioasidAt(PF, 1)).isEqualTo(11);
    }

    @Test
    void theDrainWaitsOnlyForRequestsOfItsOwnPasid() {
        // DOMAIN: wait until the queue holds no request of this (RID, PASID)
        rig.offer(req(PF, 2, 1, true), req(VF, 1, 1, true));
        rig.core.detach(PF, 1, rig.now);
        assertThat(rig.core.queueHolds(PF, 1)).isFalse();
        assertThat(rig.out.wasDrained(PF, 1)).isTrue();
        rig.core.attach(PF, 1, 11);
    }

    @Test
    void vtdDrainRepeatsWhileProIsSet() {
        UnitRig r = UnitRig.vtd(1, PF).attach(PF, 1, 10).attach(PF, 2, 20);
        r.offer(req(PF, 2, 1, false), req(PF, 2, 2, false)); // the second sets PRO
        assertThat(r.core.overflowing()).isTrue();
        r.core.detach(PF, 1, r.now);
        assertThat(r.core.routing().isDraining(PF, 1)).isTrue();
        r.drainAll();
        assertThat(r.core.overflowing()).isFalse();
        assertThat(r.out.wasDrained(PF, 1)).isTrue();
    }

    @Test
    void aPartialGroupOfADetachedPasidIsFlushedByTheDrainAndItsLastRequestGetsNoHandler() {
        rig.send(req(PF, 1, 4, false));
        rig.core.detach(PF, 1, rig.now);
        // drained at once (nothing queued): its partial group is flushed, so it cannot join a group of a later attachment
        assertThat(rig.out.dropsFor(DropReason.PARTIAL_DISCARDED)).isEqualTo(1);
        rig.send(req(PF, 1, 4, true));
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.NO_HANDLER);
        assertThat(rig.out.lastResponse().requestCount()).isEqualTo(1);
        assertThat(rig.out.dispatched).isEmpty();
    }

    @Test
    void stopMarkerThenDetachIsTheTeardownOrder() {
        rig.send(req(PF, 1, 1, true));
        rig.offer(stop(PF, 1, 0));
        rig.core.detach(PF, 1, rig.now);
        assertThat(rig.core.routing().isDraining(PF, 1)).isTrue();
        rig.drainAll();
        assertThat(rig.core.ledger().stopMarkersConsumed).isEqualTo(1);
        assertThat(rig.out.responses).singleElement().extracting(PageRequestGroup::autoReason).isEqualTo(AutoReason.DETACHED);
        assertThat(rig.out.wasDrained(PF, 1)).isTrue();
    }

    @Test
    void replaceAnswersTheOldOwnersGroupsAndRoutesNewOnesToTheNewOwner() {
        rig.send(req(PF, 1, 1, true), req(PF, 2, 2, true));
        PageRequestGroup old = rig.out.dispatched.get(0);
        assertThat(rig.core.replace(PF, 1, 40, rig.now)).isEqualTo(10);
        assertThat(rig.out.responses).singleElement().satisfies(g -> {
            assertThat(g).isSameAs(old);
            assertThat(g.autoReason()).isEqualTo(AutoReason.REPLACED);
            assertThat(g.code()).isEqualTo(ResponseCode.INVALID);
            assertThat(g.handler()).isEqualTo(OWNER_BASE + 10);
        });
        assertThat(rig.core.routing().isDraining(PF, 1)).isFalse();
        rig.send(req(PF, 1, 1, true));
        assertThat(rig.out.lastDispatched().handler()).isEqualTo(OWNER_BASE + 40);
        // neither owner can answer the replaced group
        assertThat(rig.core.respond(old, OWNER_BASE + 10, ResponseCode.SUCCESS)).isNotNull();
        assertThat(rig.core.respond(old, OWNER_BASE + 40, ResponseCode.SUCCESS)).isNotNull();
        assertThat(rig.core.outstandingCount()).isEqualTo(2);
        assertThat(rig.core.ledger().autoSent[AutoReason.REPLACED.ordinal()]).isEqualTo(1);
    }
}
