package io.faultfabric.engine;

import io.faultfabric.engine.check.DeviceChecker;
import io.faultfabric.engine.check.Invariant;
import io.faultfabric.engine.check.Violations;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.VirtualPageRequestQueue;
import org.junit.jupiter.api.Test;

import static io.faultfabric.engine.Faults.req;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The unit's rules that failure injection leans on: restart, hot-plug, injected Response Failure, the drain check, group history. */
class ResilienceRulesTest {
    private static final int PF = 0x100, OTHER = 0x200;

    private final UnitRig rig = UnitRig.vtd(64, PF, OTHER).attach(PF, 1, 1).attach(PF, 2, 2).attach(OTHER, 1, 3);

    @Test
    void aRestartAnswersWhatIsPendingAndWhatIsQueuedWithL1AndDropsTheRest() {
        rig.send(req(PF, 1, 0, true, 1)); // outstanding at its owner
        rig.send(req(PF, 1, 1, false, 2)); // a partial group
        rig.offer(req(PF, 1, 1, false, 2), req(PF, 1, 1, true, 2), req(PF, 2, 2, false, 3), Faults.stop(PF, 2, 0));
        rig.core.offer(req(OTHER, 1, 3, true, 4), 0);
        rig.out.clear();

        int answered = rig.core.restart(rig.now);

        assertThat(answered).isEqualTo(3);
        assertThat(rig.out.responses).extracting(PageRequestGroup::autoReason).containsOnly(AutoReason.IOMMU_RESTART);
        assertThat(rig.out.responses).extracting(PageRequestGroup::code).containsOnly(ResponseCode.INVALID);
        // PRGI 1: its first request was assembled, the second still queued with L=1 behind it: both are dropped, the L=1 answered
        PageRequestGroup prgi1 = rig.out.responses.stream().filter(g -> g.prgi() == 1).findFirst().orElseThrow();
        assertThat(prgi1.requestCount()).isEqualTo(2);
        assertThat(rig.out.dropsFor(DropReason.IOMMU_RESTART)).as("the queued L=0 of PRGI 1 and of PRGI 2").isEqualTo(2);
        assertThat(rig.core.ledger().stopMarkersConsumed).isEqualTo(1);
        assertThat(rig.core.queueDepth()).isZero();
        assertThat(rig.core.outstandingCount()).isZero();
        rig.out.clear();
        rig.send(req(PF, 1, 4, true, 5));
        assertThat(rig.out.dispatched).as("the PASID table survives").hasSize(1);
    }

    @Test
    void aRestartClearsOverflowAndCompletesDrains() {
        UnitRig small = UnitRig.vtd(1, PF).attach(PF, 1, 1);
        small.offer(req(PF, 1, 0, false, 1), req(PF, 1, 1, false, 2)); // the second overflows: PRO set
        assertThat(small.core.overflowing()).isTrue();
        small.core.detach(PF, 1, 0);
        assertThat(small.core.routing().isDraining(PF, 1)).isTrue();

        small.core.restart(0);

        assertThat(small.core.overflowing()).isFalse();
        assertThat(small.out.wasDrained(PF, 1)).isTrue();
        assertThat(small.core.attach(PF, 1, 7)).isNull();
    }

    @Test
    void aRemovedFunctionPluggedBackIsServedAgain() {
        rig.core.removeDevice(OTHER, 0);
        rig.send(req(OTHER, 1, 0, true, 1));
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.MALFORMED);

        rig.core.addDevice(OTHER);
        rig.send(req(OTHER, 1, 1, true, 2));

        assertThat(rig.out.lastDispatched().prgi()).isEqualTo(1);
        assertThatThrownBy(() -> rig.core.addDevice(0x300)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void failingAFunctionsGroupsAnswersThePendingOnesResponseFailureOrElseTheNextOne() {
        rig.send(req(PF, 1, 0, true, 1), req(PF, 2, 1, true, 2), req(OTHER, 1, 0, true, 3));
        rig.out.clear();

        assertThat(rig.core.failGroupsOf(PF, 0)).isEqualTo(2);
        assertThat(rig.out.responses).extracting(PageRequestGroup::autoReason).containsOnly(AutoReason.HANDLER_FAILED);
        assertThat(rig.out.responses).extracting(PageRequestGroup::code).containsOnly(ResponseCode.RESPONSE_FAILURE);
        assertThat(rig.core.outstandingCount()).as("the other device's group").isEqualTo(1);

        rig.out.clear();
        assertThat(rig.core.failGroupsOf(PF, 0)).isZero();
        rig.send(req(PF, 1, 2, true, 4), req(PF, 1, 3, true, 5));
        assertThat(rig.out.responses).hasSize(1);
        assertThat(rig.out.lastResponse().prgi()).isEqualTo(2);
        assertThat(rig.out.lastResponse().autoReason()).isEqualTo(AutoReason.HANDLER_FAILED);
        assertThat(rig.out.dispatched).extracting(PageRequestGroup::prgi).containsExactly(3);
    }

    @Test
    void aDrainedPasidIsAttachedAgainWithNothingLeftOver() {
        rig.send(req(PF, 1, 0, false, 1)); // a partial of the old attachment
        rig.core.detach(PF, 1, 0);
        assertThat(rig.out.wasDrained(PF, 1)).isTrue();
        assertThat(rig.out.dropsFor(DropReason.PARTIAL_DISCARDED)).as("its groups flushed").isEqualTo(1);

        assertThat(rig.core.attach(PF, 1, 9)).isNull();
        rig.send(req(PF, 1, 0, true, 1));
        assertThat(rig.out.lastDispatched().requestCount()).as("the old partial did not join the new attachment's group").isEqualTo(1);
    }

    @Test
    void aPasidFreedBeforeItsQueueIsDrainedIsAReuseTheAttachReports() {
        rig.offer(req(PF, 1, 0, false, 1), req(PF, 1, 0, true, 1));
        rig.core.detach(PF, 1, 0);
        assertThat(rig.core.routing().isDraining(PF, 1)).isTrue();
        rig.core.routing().freeDrained(PF, 1); // a broken drain: the PASID freed while the queue still holds its requests

        String left = rig.core.attach(PF, 1, 9);

        assertThat(left).startsWith("pasid 1 of rid 01:00.0 attached again while its earlier use was not drained: queued")
            .contains("and 1 more queued");
        // requests that arrive after the detach belong to nobody's old use: not leftovers
        UnitRig other = UnitRig.vtd(64, PF).attach(PF, 1, 1);
        other.core.detach(PF, 1, 0);
        other.offer(req(PF, 1, 5, false, 2));
        assertThat(other.core.attach(PF, 1, 2)).isNull();
    }

    @Test
    void aGroupCarriesABoundedHistoryOfWhatHappenedToIt() {
        rig.send(req(PF, 1, 3, false, 1), req(PF, 1, 3, true, 1));
        PageRequestGroup g = rig.out.lastDispatched();
        for (int i = 0; i < 9; i++) rig.core.respond(PF, 1, 3, g.groupId(), g.handler() + 1, ResponseCode.SUCCESS, null);
        rig.answer(g, ResponseCode.SUCCESS);

        assertThat(g.history()).startsWith("[2 requests, device sequence 1 -> dispatched as group 0 to handler 101 (ioasid 1)"
            + " -> an answer rejected WRONG_HANDLER").endsWith(" -> ... 3 more]");
        PageRequestGroup quick = Faults.dispatchedTo(5, 5, req(PF, 1, 1, true, 2));
        assertThat(quick.history()).isEqualTo("[1 request, device sequence 2 -> dispatched as group 1 to handler 5 (ioasid 5)]");
    }

    @Test
    void aResponseNamingTheRightPrgiButAnotherPasidMatchesNoOutstandingGroup() {
        Violations v = new Violations();
        DeviceChecker c = new DeviceChecker(new int[] {PF}, 4, v);
        c.onIssued(req(PF, 1, 4, true, 10));

        c.onResponse(Faults.answered(ResponseCode.SUCCESS, null, req(PF, 2, 4, true, 10)));

        assertThat(v.count(Invariant.RESPONSE_MATCHES_GROUP)).isEqualTo(1);
        assertThat(v.examples(Invariant.RESPONSE_MATCHES_GROUP).get(0)).contains("outstanding at its PRGI: sequence 10 pasid 1");
        assertThat(v.total()).isEqualTo(1);
    }

    @Test
    void aFloodedGuestQueueRefusesWhatDoesNotFitAndSetsPro() {
        VirtualPageRequestQueue q = new VirtualPageRequestQueue(0, 128);
        q.flood(127);
        PageRequestGroup two = Faults.dispatchedTo(1, 1, req(PF, 1, 0, false, 1), req(PF, 1, 0, true, 1));

        assertThat(q.inject(two, 1, 1, IommuKind.VTD, FaultPolicy.DEFAULT)).isEqualTo(VirtualPageRequestQueue.Admission.FULL);
        assertThat(q.pro()).isTrue();
        q.flood(0);
        q.take();
        assertThat(q.pro()).as("cleared once the guest finds its queue empty").isFalse();
        assertThat(q.inject(two, 1, 1, IommuKind.VTD, FaultPolicy.DEFAULT)).isEqualTo(VirtualPageRequestQueue.Admission.QUEUED);
        assertThatThrownBy(() -> q.flood(129)).isInstanceOf(IllegalArgumentException.class);
    }
}
