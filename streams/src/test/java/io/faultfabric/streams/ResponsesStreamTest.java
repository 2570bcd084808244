package io.faultfabric.streams;

import io.faultfabric.engine.GroupResponse;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.StallEventQueue;
import io.faultfabric.engine.topology.UniformTopology;
import io.faultfabric.engine.topology.Topology;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What {@code responses()} promises: one run per fabric, only with withResponses(), nothing missed, and its consumer paces the devices. */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponsesStreamTest {
    private static final int ALLOCATION = 8;

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("responses").withCustomConfig(Fabrics.config()).build();

    private final Topology topology = Fabrics.uniform(1, IommuKind.VTD, 2048, 1, 2, ALLOCATION, OwnerKind.HOST_SVA);

    private List<PageRequest> requests(int n) {
        int rid = topology.devicePfRid(0);
        List<PageRequest> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(Fabrics.single(rid, topology.pasidOf(0, i % 2), i, i));
        return out;
    }

    @Test
    void responsesMayBeTakenAndRunOncePerFabricAndTheFirstRunGetsEveryResponse() {
        ActorSystem<?> system = testKit.system();
        FaultFabric fabric = Fabrics.start(system, topology, b -> b.withResponses());
        Source<GroupResponse, ?> first = fabric.responses();

        assertThatThrownBy(fabric::responses).isInstanceOf(IllegalStateException.class)
            .hasMessage("responses() may be run once per fabric; broadcast it with BroadcastHub for several consumers");

        var got = first.take(5).runWith(Sink.seq(), system);
        assertThatThrownBy(() -> first.runWith(Sink.seq(), system)).isInstanceOf(IllegalStateException.class)
            .hasMessage("the source from responses() has been run already; it may be run once: broadcast it with BroadcastHub for several consumers");

        Source.from(requests(5)).runWith(fabric.pageRequests(topology.devicePfRid(0)), system);
        assertThat(Fabrics.join(got)).extracting(GroupResponse::code).containsOnly(ResponseCode.SUCCESS).hasSize(5);
        assertThat(Fabrics.join(fabric.shutdown()).violations().none()).isTrue();
    }

    @Test
    void responsesNeedsTheFabricStartedWithResponses() {
        ActorSystem<?> system = testKit.system();
        FaultFabric fabric = Fabrics.start(system, topology, b -> b);

        assertThatThrownBy(fabric::responses).isInstanceOf(IllegalStateException.class)
            .hasMessage("responses() needs the fabric started with Builder.withResponses()");

        // and the fabric works without it: nobody consumes responses, nobody is held back by them
        Source.from(requests(3 * ALLOCATION)).runWith(fabric.pageRequests(topology.devicePfRid(0)), system);
        await().atMost(Fabrics.WAIT).until(() -> Fabrics.snapshot(fabric).completedGroups() == 3 * ALLOCATION);
        assertThat(Fabrics.join(fabric.shutdown()).violations().none()).isTrue();
    }

    @Test
    void aLateSubscriberMissesNothingAndWithoutOneTheDeviceStopsOnceAnAllocationsWorthWaits() {
        ActorSystem<?> system = testKit.system();
        int total = 3 * ALLOCATION;
        FaultFabric fabric = Fabrics.start(system, topology, b -> b.withResponses());

        Source.from(requests(total)).runWith(fabric.pageRequests(topology.devicePfRid(0)), system);
        // the device stops once an allocation's worth of answered groups waits for a subscriber; it may have issued
        // up to one allocation more just before (N-1 waiting, then N issued), which come back and wait too
        FabricSnapshot held = await().atMost(Fabrics.WAIT).until(() -> Fabrics.snapshot(fabric),
            s -> s.issuedGroups() >= ALLOCATION && s.completedGroups() == s.issuedGroups());
        assertThat(held.issuedGroups()).isBetween((long) ALLOCATION, 2L * ALLOCATION - 1);
        assertThat(held.creditsInUse()).isZero();

        List<GroupResponse> got = Fabrics.join(fabric.responses().take(total).runWith(Sink.seq(), system));

        assertThat(got).extracting(GroupResponse::prgi).doesNotHaveDuplicates().hasSize(total);
        assertThat(got.subList(0, (int) held.issuedGroups())).as("those answered before the subscriber came, first")
            .extracting(GroupResponse::prgi).allMatch(p -> p < held.issuedGroups());
        FabricSnapshot end = Fabrics.join(fabric.shutdown());
        assertThat(end.completedGroups()).isEqualTo(total);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    @Test
    void aStallingDeviceIsFedAndAnsweredThroughTheSameStreamsEachResponseTheResumeOfOneTransaction() {
        ActorSystem<?> system = testKit.system();
        // one SMMUv3 unit: device 0 stalls (at most 4 transactions at once), device 1 has PRI
        Topology mixed = new UniformTopology(1, IommuKind.SMMUV3, 2048, 2, 0, 4, ALLOCATION, 1, UniformTopology.Assignment.CONTIGUOUS,
            List.of(OwnerKind.HOST_SVA), 0, 1, RoutingMode.OWNER, 1, 4, 2).build();
        FaultFabric fabric = Fabrics.start(system, mixed, b -> b.withResponses());
        int sid = mixed.devicePfRid(0);
        List<PageRequest> faults = new ArrayList<>();
        // single faulting transactions; their PRGI field means nothing to a stalling device
        // 600 of them: the SMMU's STAGs run past the 9 bits a PRGI has
        for (int i = 0; i < 600; i++) faults.add(Fabrics.single(sid, mixed.pasidOf(0, i % 2), 0, i));

        var got = fabric.responses().take(600).runWith(Sink.seq(), system);
        Source.from(faults).runWith(fabric.pageRequests(sid), system);

        List<GroupResponse> resumes = Fabrics.join(got);
        assertThat(resumes).extracting(GroupResponse::prgi).anyMatch(stag -> stag > 511);
        assertThat(resumes).hasSize(600).allSatisfy(r -> {
            assertThat(r.stall()).isTrue();
            assertThat(r.rid()).isEqualTo(sid);
            assertThat(r.resume()).isEqualTo(StallEventQueue.Resume.RETRY);
            assertThat(r.requestCount()).isEqualTo(1);
        });
        FabricSnapshot end = Fabrics.join(fabric.shutdown());
        assertThat(end.ledger().stallsIssued).isEqualTo(600);
        assertThat(end.ledger().resumes(StallEventQueue.Resume.RETRY)).isEqualTo(600);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    @Test
    void aSlowConsumerHoldsTheDeviceBackWithinTheStreamsBatchesAndMoreDemandReleasesIt() {
        ActorSystem<?> system = testKit.system();
        int total = 300;
        FaultFabric fabric = Fabrics.start(system, topology, b -> b.withResponses());
        TestSubscriber.Probe<GroupResponse> consumer = fabric.responses().runWith(TestSink.create(system), system);
        Source.from(requests(total)).runWith(fabric.pageRequests(topology.devicePfRid(0)), system);

        consumer.request(1);
        consumer.expectNext(Fabrics.WAIT);
        FabricSnapshot held = await().atMost(Fabrics.WAIT).until(() -> Fabrics.snapshot(fabric),
            s -> s.issuedGroups() >= ALLOCATION && s.completedGroups() == s.issuedGroups());
        consumer.expectNoMessage(Duration.ofMillis(300));
        FabricSnapshot still = Fabrics.snapshot(fabric);

        // answered and not consumed, at most: at the device, fewer than an allocation waiting when it last issued and an
        // allocation then issued (2N-1); in the stream, one batch (each at most 2N-1) in the device's ActorSource, one in
        // flatMapMerge's inlet and one in mapConcat, less the one element consumed
        long bound = 1 + 3L * (2 * ALLOCATION - 1) + 1;
        assertThat(still.issuedGroups()).as("the device stopped issuing").isEqualTo(held.issuedGroups())
            .isLessThanOrEqualTo(bound).isLessThan(total);

        consumer.request(total);
        List<GroupResponse> rest = new ArrayList<>();
        for (int i = 1; i < total; i++) rest.add(consumer.expectNext(Fabrics.WAIT));
        assertThat(rest).extracting(GroupResponse::prgi).doesNotHaveDuplicates().hasSize(total - 1);
        FabricSnapshot end = Fabrics.join(fabric.shutdown());
        consumer.expectComplete();
        assertThat(end.completedGroups()).isEqualTo(total);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }
}
