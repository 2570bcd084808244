package io.faultfabric.streams;

import io.faultfabric.actors.Device;
import io.faultfabric.actors.IoasidOwner;
import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.DropReason;
import io.faultfabric.engine.GroupResponse;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.topology.Topology;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** attach, detach, replace, stopPasid and resetDevice at run time, through the embedding API, while faults flow. */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlOperationsTest {

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("control").withCustomConfig(Fabrics.config()).build();

    // one device, PASIDs 1..4; PASID p is IOASID p-1, held by owner p-1
    private final Topology topology = Fabrics.uniform(1, IommuKind.VTD, 2048, 1, 4, 16, OwnerKind.HOST_SVA);
    private final int rid = topology.devicePfRid(0);
    private ActorSystem<?> system;
    private FaultFabric fabric;
    private TestSubscriber.Probe<GroupResponse> responses;
    private int prgi;

    @BeforeEach
    void start() {
        system = testKit.system();
        fabric = Fabrics.start(system, topology, b -> b.settings(Fabrics.settings(system, Duration.ofSeconds(60))).withResponses());
        responses = fabric.responses().runWith(TestSink.create(system), system);
        responses.request(Long.MAX_VALUE);
    }

    /** Sends one single-request group on each PASID given, each on a PRGI of its own. */
    private void fault(int... pasids) {
        List<PageRequest> requests = new ArrayList<>();
        for (int pasid : pasids) {
            requests.add(Fabrics.single(rid, pasid, prgi, prgi));
            prgi++;
        }
        Source.from(requests).runWith(fabric.pageRequests(rid), system);
    }

    private GroupResponse nextResponse() {
        return responses.expectNext(Fabrics.WAIT);
    }

    private IoasidOwner.Snapshot awaitOwner(int owner, java.util.function.Predicate<IoasidOwner.Snapshot> condition) {
        return await().atMost(Fabrics.WAIT).until(() -> Fabrics.owner(fabric, system, owner), condition);
    }

    private FabricSnapshot end() {
        FabricSnapshot end = Fabrics.join(fabric.shutdown());
        assertThat(end.outstandingGroups()).isZero();
        assertThat(end.rejectedResponses()).as("an old owner's late answers").isZero();
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
        return end;
    }

    @Test
    void detachAnswersThePendingGroupsCompletesDrainedAndThePasidMayBeAttachedAgainAtOnce() {
        fabric.context().owner(0).tell(new IoasidOwner.Hang(true));
        fault(1, 1, 1);
        awaitOwner(0, s -> s.waiting() == 3);

        Fabrics.join(fabric.detach(rid, 1));

        for (int i = 0; i < 3; i++) {
            GroupResponse r = nextResponse();
            assertThat(r.autoReason()).isEqualTo(AutoReason.DETACHED);
            assertThat(r.code()).isEqualTo(ResponseCode.INVALID);
        }
        assertThat(Fabrics.iommu(fabric, system, 0).ledger().pasidsDrained).isEqualTo(1);
        IoasidOwner.Snapshot old = awaitOwner(0, s -> s.waiting() == 0);
        assertThat(old.detachedDropped()).isEqualTo(3);
        fault(1);
        assertThat(nextResponse().autoReason()).as("nobody is attached at PASID 1").isEqualTo(AutoReason.NO_HANDLER);

        Fabrics.join(fabric.attach(rid, 1, 1)); // drained, so the PASID may be reused at once: now owner 1's
        fabric.context().owner(1).tell(new IoasidOwner.Hang(true));
        fault(1);
        awaitOwner(1, s -> s.waiting() == 1);
        fabric.context().owner(1).tell(new IoasidOwner.Hang(false));
        fabric.context().owner(0).tell(new IoasidOwner.Hang(false));
        GroupResponse served = nextResponse();
        assertThat(served.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(served.automatic()).isFalse();
        assertThat(end().ledger().auto(AutoReason.DETACHED)).isEqualTo(3);
    }

    @Test
    void replaceAnswersTheOldOwnersPendingGroupsReplacedAndRoutesNewOnesToTheNewOwner() {
        fabric.context().owner(0).tell(new IoasidOwner.Hang(true));
        fault(1, 1);
        awaitOwner(0, s -> s.waiting() == 2);

        Fabrics.join(fabric.replace(rid, 1, 2)); // IOASID 2 is owner 2's

        for (int i = 0; i < 2; i++) {
            GroupResponse r = nextResponse();
            assertThat(r.autoReason()).isEqualTo(AutoReason.REPLACED);
            assertThat(r.code()).isEqualTo(ResponseCode.INVALID);
        }
        awaitOwner(0, s -> s.waiting() == 0 && s.detachedDropped() == 2);
        fabric.context().owner(2).tell(new IoasidOwner.Hang(true));
        fault(1);
        awaitOwner(2, s -> s.waiting() == 1);
        fabric.context().owner(2).tell(new IoasidOwner.Hang(false));
        fabric.context().owner(0).tell(new IoasidOwner.Hang(false)); // it has nothing left to answer
        assertThat(nextResponse().code()).isEqualTo(ResponseCode.SUCCESS);
        FabricSnapshot end = end();
        assertThat(end.ledger().auto(AutoReason.REPLACED)).isEqualTo(2);
        assertThat(end.ledger().answered(ResponseCode.SUCCESS)).isEqualTo(1);
    }

    @Test
    void stopPasidSendsAStopMarkerThatIsNeverAnsweredAndTearsThePasidDown() {
        fault(2);
        assertThat(nextResponse().code()).isEqualTo(ResponseCode.SUCCESS);

        Fabrics.join(fabric.stopPasid(rid, 2));

        FabricSnapshot s = Fabrics.snapshot(fabric);
        assertThat(s.ledger().stopMarkersIssued).isEqualTo(1);
        assertThat(s.ledger().stopMarkersConsumed).isEqualTo(1);
        assertThat(s.ledger().pasidsDrained).isEqualTo(1);
        responses.expectNoMessage(Duration.ofMillis(100)); // the marker has no answer
        fault(2);
        assertThat(nextResponse().autoReason()).isEqualTo(AutoReason.NO_HANDLER);
        Fabrics.join(fabric.attach(rid, 2, 1));
        fault(2);
        assertThat(nextResponse().code()).isEqualTo(ResponseCode.SUCCESS);
        FabricSnapshot end = end();
        assertThat(end.completedGroups()).isEqualTo(3);
    }

    @Test
    void aResetRestoresPriAfterAResponseFailure() {
        fabric.context().owner(3).tell(new IoasidOwner.SetPolicy(new FaultPolicy(FaultPolicy.DEFAULT.serviceTime(), 0, 1.0, 16)));
        fault(4);
        GroupResponse failed = nextResponse();
        assertThat(failed.code()).isEqualTo(ResponseCode.RESPONSE_FAILURE);
        assertThat(failed.autoReason()).isEqualTo(AutoReason.HANDLER_FAILED);
        Device.Snapshot off = await().atMost(Fabrics.WAIT).until(() -> Fabrics.snapshot(fabric).devices().get(0), d -> !d.priEnabled());
        assertThat(off.responseFailure()).isTrue();

        fault(1); // PRI is off: the device does not send it, and counts it
        await().atMost(Fabrics.WAIT).until(() -> Fabrics.snapshot(fabric).ledger().dropped(DropReason.PRI_DISABLED) == 1);
        assertThat(Fabrics.snapshot(fabric).issuedGroups()).isEqualTo(1);

        fabric.context().owner(3).tell(new IoasidOwner.SetPolicy(null));
        Fabrics.join(fabric.resetDevice(rid));

        Device.Snapshot on = Fabrics.snapshot(fabric).devices().get(0);
        assertThat(on.priEnabled()).isTrue();
        assertThat(on.responseFailure()).isFalse();
        fault(4);
        assertThat(nextResponse().code()).isEqualTo(ResponseCode.SUCCESS);
        FabricSnapshot end = end();
        assertThat(end.ledger().priDisabledEvents).isEqualTo(1);
        assertThat(end.issuedGroups()).isEqualTo(2);
    }
}
