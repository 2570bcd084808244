package io.faultfabric.streams;

import io.faultfabric.actors.IoasidOwner;
import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.GroupResponse;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.topology.Topology;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.testkit.TestPublisher;
import org.apache.pekko.stream.testkit.javadsl.TestSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Shutdown answers what is pending, is refused a second time, and leaves the caller's system running. */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShutdownTest {

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("shutdown").withCustomConfig(Fabrics.config()).build();

    @Test
    void pendingGroupsAreAnsweredShutdownAndCountedAndTheCallersSystemKeepsRunning() {
        ActorSystem<?> system = testKit.system();
        int allocation = 8;
        // two devices, one PASID and one owner each; both owners hang, so each device's allocation is pending
        Topology topology = Fabrics.uniform(1, IommuKind.SMMUV3, 2048, 2, 1, allocation, OwnerKind.USER_DRIVER);
        FaultFabric fabric = Fabrics.start(system, topology,
            b -> b.settings(Fabrics.settings(system, Duration.ofSeconds(60))).withResponses());
        CompletionStage<List<GroupResponse>> responses = fabric.responses().runWith(Sink.seq(), system);
        TestPublisher.Probe<PageRequest> stillSending = null;
        for (int d = 0; d < 2; d++) {
            fabric.context().owner(d).tell(new IoasidOwner.Hang(true));
            int rid = topology.devicePfRid(d);
            TestPublisher.Probe<PageRequest> source = TestSource.<PageRequest>create(system).to(fabric.pageRequests(rid)).run(system);
            for (int i = 0; i < allocation + 1; i++) source.sendNext(Fabrics.single(rid, topology.pasidOf(d, 0), i, i));
            stillSending = source;
        }
        await().atMost(Fabrics.WAIT).until(() -> Fabrics.snapshot(fabric).outstandingGroups() == 2L * allocation);

        FabricSnapshot end = Fabrics.join(fabric.shutdown());

        assertThat(end.ledger().auto(AutoReason.SHUTDOWN)).as("%s", end.ledger()).isEqualTo(2L * allocation);
        assertThat(end.issuedGroups()).as("the element each device held unsent stays unsent").isEqualTo(2L * allocation);
        assertThat(end.completedGroups()).isEqualTo(2L * allocation);
        assertThat(end.outstandingGroups()).isZero();
        assertThat(end.creditsInUse()).isZero();
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
        List<GroupResponse> got = Fabrics.join(responses); // completes: the devices end their subscriptions
        assertThat(got).hasSize(2 * allocation).allMatch(r -> r.autoReason() == AutoReason.SHUTDOWN && r.code() == ResponseCode.INVALID);
        stillSending.expectCancellation(); // the device it fed has stopped
        TestProbe<Object> watcher = testKit.createTestProbe();
        watcher.expectTerminated(fabric.context().iommu(0), Fabrics.WAIT);
        watcher.expectTerminated(fabric.context().device(1), Fabrics.WAIT);

        Throwable again = Fabrics.failure(fabric.shutdown());
        assertThat(again).isInstanceOf(IllegalStateException.class).hasMessage("the fabric is already shut down");
        assertThat(Fabrics.failure(fabric.snapshot())).hasMessage("the fabric is shut down; its last snapshot is the one shutdown() returned");
        assertThat(Fabrics.failure(fabric.attach(topology.devicePfRid(0), 5, 0))).hasMessage("the fabric is shut down");
        assertThatThrownBy(() -> fabric.pageRequests(topology.devicePfRid(0))).hasMessage("the fabric is shut down");

        // the caller's system is untouched: it runs streams, and another fabric starts and works in it
        assertThat(system.getWhenTerminated().toCompletableFuture().isDone()).isFalse();
        assertThat(Fabrics.join(Source.range(1, 3).runWith(Sink.fold(0, Integer::sum), system))).isEqualTo(6);
        FaultFabric next = Fabrics.start(system, topology, b -> b);
        Source.single(Fabrics.single(topology.devicePfRid(0), topology.pasidOf(0, 0), 0, 0)).runWith(next.pageRequests(topology.devicePfRid(0)), system);
        await().atMost(Fabrics.WAIT).until(() -> Fabrics.snapshot(next).completedGroups() == 1);
        assertThat(Fabrics.join(next.shutdown()).ledger().answered(ResponseCode.SUCCESS)).isEqualTo(1);
    }
}
