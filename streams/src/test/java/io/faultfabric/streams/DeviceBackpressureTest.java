package io.faultfabric.streams;

import io.faultfabric.actors.IoasidOwner;
import io.faultfabric.actors.IommuUnit;
import io.faultfabric.engine.GroupResponse;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.testkit.TestPublisher;
import org.apache.pekko.stream.testkit.javadsl.TestSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Backpressure from the hardware's credits to the caller's source: a device's allocation bounds everything behind it. */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceBackpressureTest {

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("device-backpressure").withCustomConfig(Fabrics.config()).build();

    @Test
    void aDeviceHoldsAtMostItsAllocationInFlightAndItsSourceGetsNoDemandBeyondTheStreamsFixedBuffers() {
        ActorSystem<?> system = testKit.system();
        int allocation = 16;
        int total = 400; // distinct PRGIs (of 512), so that every response names the one request it answers
        Topology topology = Fabrics.uniform(1, IommuKind.VTD, 2048, 1, 1, allocation, OwnerKind.HOST_SVA);
        FaultFabric fabric = Fabrics.start(system, topology,
            b -> b.settings(Fabrics.settings(system, Duration.ofSeconds(60))).withResponses());
        int rid = topology.devicePfRid(0);
        int pasid = topology.pasidOf(0, 0);
        fabric.context().owner(0).tell(new IoasidOwner.Hang(true));
        CompletionStage<List<GroupResponse>> responses = fabric.responses().take(total).runWith(Sink.seq(), system);
        TestPublisher.Probe<PageRequest> source = TestSource.<PageRequest>create(system)
            .via(Fabrics.oneAtATime())
            .to(fabric.pageRequests(rid))
            .run(system);

        // an allocation's worth goes out; the device acks every element it took, so the sink is waiting for the next one
        int sent = 0;
        for (; sent < allocation; sent++) source.sendNext(Fabrics.single(rid, pasid, sent, sent));
        await().atMost(Fabrics.WAIT).until(() -> Fabrics.snapshot(fabric).creditsInUse() == allocation);

        // then the stream fills its fixed buffers and stops asking. What it holds, element by element:
        int deviceBatch = fabric.settings().deviceBatch();
        int held = 1               // the device's element: a list of one request it cannot send without credits, so not acked
            + 1                    // the ActorSink's one waiting element (it arrived alone, so a list of one)
            + deviceBatch + 1      // the batch stage: a full list of device-batch requests, and one request waiting for room
            + 1;                   // the input buffer in front of the probe's boundary (oneAtATime)
        for (; sent < allocation + held; sent++) source.sendNext(Fabrics.single(rid, pasid, sent, sent));
        source.expectNoMessage(Duration.ofMillis(300));
        assertThat(source.pending()).as("demand left on the probe").isZero();

        FabricSnapshot stalled = Fabrics.snapshot(fabric);
        assertThat(stalled.creditsInUse()).isEqualTo(allocation);
        assertThat(stalled.outstandingGroups()).isEqualTo(allocation);
        assertThat(stalled.issuedGroups()).isEqualTo(allocation);
        assertThat(Fabrics.owner(fabric, system, 0).waiting()).isEqualTo(allocation);

        fabric.context().owner(0).tell(new IoasidOwner.Hang(false));
        for (; sent < total; sent++) {
            source.sendNext(Fabrics.single(rid, pasid, sent, sent));
            if (sent % 50 == 0) assertThat(Fabrics.snapshot(fabric).creditsInUse()).isLessThanOrEqualTo(allocation);
        }
        source.sendComplete();

        List<GroupResponse> got = Fabrics.join(responses);
        assertThat(got).extracting(GroupResponse::prgi).doesNotHaveDuplicates().hasSize(total);
        assertThat(got).extracting(GroupResponse::code).containsOnly(ResponseCode.SUCCESS);
        assertThat(got).noneMatch(GroupResponse::automatic);
        FabricSnapshot end = Fabrics.join(fabric.shutdown());
        assertThat(end.issuedGroups()).isEqualTo(total);
        assertThat(end.completedGroups()).isEqualTo(total);
        assertThat(end.creditsInUse()).isZero();
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    @Test
    void aSlowOwnerSlowsTheDevicesSourcesAndNoQueueOutgrowsTheCredits() {
        ActorSystem<?> system = testKit.system();
        int allocation = 4;
        int perDevice = 400;
        long service = Duration.ofMillis(1).toNanos();
        // two devices, one PASID each, both PASIDs held by one owner: it serves one group per millisecond
        Topology topology = new UniformTopology(1, IommuKind.VTD, 2048, 2, 0, 2, allocation, 2,
            UniformTopology.Assignment.CONTIGUOUS, List.of(OwnerKind.HOST_SVA), 0, 512,
            RoutingMode.OWNER).build();
        FaultFabric fabric = Fabrics.start(system, topology, b -> b.settings(Fabrics.settings(system, Duration.ofSeconds(60))));
        FaultPolicy slow = FaultPolicy.DEFAULT.withServiceTime(ServiceTime.constant(service));
        fabric.context().owner(0).tell(new IoasidOwner.SetPolicy(slow));
        AtomicLong pulled = new AtomicLong();
        int held = 3 * fabric.settings().deviceBatch() + 1;

        long t0 = System.nanoTime();
        for (int d = 0; d < 2; d++) {
            int rid = topology.devicePfRid(d);
            int pasid = topology.pasidOf(d, 0);
            List<PageRequest> requests = new ArrayList<>();
            for (int i = 0; i < perDevice; i++) requests.add(Fabrics.single(rid, pasid, i, i));
            Source.from(requests).map(r -> { pulled.incrementAndGet(); return r; }).runWith(fabric.pageRequests(rid), system);
        }

        int samples = 0;
        FabricSnapshot s;
        do {
            long taken = pulled.get(); // before the snapshot: its counts can only be higher than when this was read
            s = Fabrics.snapshot(fabric);
            long elapsed = System.nanoTime() - t0;
            IommuUnit.Snapshot unit = s.iommus().get(0);
            IoasidOwner.Snapshot owner = Fabrics.owner(fabric, system, 0);
            // one server: it cannot have finished more than one group per service time since the first began
            assertThat(s.completedGroups()).as("completed after %d ms", elapsed / 1_000_000).isLessThanOrEqualTo(elapsed / service + 1);
            assertThat(unit.queueDepth()).isLessThanOrEqualTo(2 * allocation);
            assertThat(owner.waiting()).as("%s", owner).isLessThan(2 * allocation).isLessThanOrEqualTo(slow.queueCapacity());
            assertThat(s.creditsInUse()).isLessThanOrEqualTo(2 * allocation);
            // the sources are pulled only as credits come back: what is answered, what is in flight, and what each stream
            // holds (the device's unsent element, the sink's waiting one, the batch stage's full list and one more)
            assertThat(taken).isLessThanOrEqualTo(s.completedGroups() + 2L * allocation + 2L * held);
            samples++;
        } while (s.completedGroups() < 2L * perDevice && System.nanoTime() - t0 < Fabrics.WAIT.toNanos());
        long elapsed = System.nanoTime() - t0;

        assertThat(s.completedGroups()).isEqualTo(2L * perDevice);
        assertThat(elapsed).as("800 groups at 1 ms each, one at a time").isGreaterThanOrEqualTo((2L * perDevice - 1) * service);
        assertThat(samples).isGreaterThan(5);
        assertThat(Fabrics.owner(fabric, system, 0).ownerQueueFull()).isZero();
        FabricSnapshot end = Fabrics.join(fabric.shutdown());
        assertThat(end.ledger().answered(ResponseCode.SUCCESS)).isEqualTo(2L * perDevice);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    @Test
    void twoStreamsIntoOneDeviceThroughItsPfAndItsVfShareItsCreditsAndLoseNothing() {
        ActorSystem<?> system = testKit.system();
        int allocation = 8;
        int perFunction = 300;
        Topology topology = new UniformTopology(1, IommuKind.VTD, 2048, 1, 1, 2, allocation, 1,
            UniformTopology.Assignment.CONTIGUOUS, List.of(OwnerKind.HOST_SVA), 0, 512,
            RoutingMode.OWNER).build();
        FaultFabric fabric = Fabrics.start(system, topology, b -> b.withResponses());
        CompletionStage<List<GroupResponse>> responses = fabric.responses().take(2L * perFunction).runWith(Sink.seq(), system);
        int[] rids = topology.deviceRids(0);
        for (int rid : rids) {
            List<PageRequest> requests = new ArrayList<>();
            for (int i = 0; i < perFunction; i++) requests.add(Fabrics.single(rid, topology.pasidOf(0, 0), i, i));
            Source.from(requests).runWith(fabric.pageRequests(rid), system);
        }

        List<GroupResponse> got = Fabrics.join(responses);
        for (int rid : rids) {
            Set<Integer> prgis = got.stream().filter(r -> r.rid() == rid).map(GroupResponse::prgi).collect(Collectors.toSet());
            assertThat(prgis).as("function %x", rid).hasSize(perFunction);
        }
        FabricSnapshot end = Fabrics.join(fabric.shutdown());
        assertThat(end.issuedGroups()).isEqualTo(2L * perFunction);
        assertThat(end.ledger().answered(ResponseCode.SUCCESS)).isEqualTo(2L * perFunction);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }
}
