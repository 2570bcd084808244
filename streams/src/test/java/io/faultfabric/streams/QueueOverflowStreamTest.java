package io.faultfabric.streams;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.DropReason;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.workload.LoadProfile;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Keep;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;

/** The hardware's overflow rule, applied and counted when open-model load from several devices floods a tiny queue. */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueueOverflowStreamTest {

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("queue-overflow").withCustomConfig(Fabrics.config()).build();

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = IommuKind.class, names = {"VTD", "SMMUV3"})
    void aBurstFromSeveralDevicesOverflowsATinyQueueAndEveryOutcomeIsCounted(IommuKind kind) {
        ActorSystem<?> system = testKit.system();
        int depth = 8;
        int devices = 8;
        int allocation = 32;
        long perDevice = 400;
        Topology topology = Fabrics.uniform(1, kind, depth, devices, 4, allocation, OwnerKind.HOST_SVA);
        // groups of 2 to 4 requests: a batch of a device's requests is longer than the queue, and has L=0 requests to drop
        FaultFabric fabric = Fabrics.start(system, topology, b -> b.seed(11).requestsPerGroup(2, 4));

        long start = System.nanoTime();
        LoadProfile burst = new LoadProfile.Constant(200_000);
        List<CompletionStage<Done>> feeds = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            feeds.add(fabric.tickets(d, burst, 11, start, perDevice, start + Duration.ofSeconds(10).toNanos())
                .toMat(fabric.faultTickets(d, Integer.MAX_VALUE), Keep.right()) // done when the device has issued them all
                .run(system));
        }
        for (CompletionStage<Done> f : feeds) Fabrics.join(f);
        FabricSnapshot quiet = Fabrics.join(LoadRun.awaitQuiet(fabric, system, Fabrics.WAIT));
        assertThat(quiet.outstandingGroups()).isZero();

        FabricSnapshot end = Fabrics.join(fabric.shutdown());
        DropReason overflowDrop = kind == IommuKind.VTD ? DropReason.PRQ_OVERFLOW : DropReason.PRIQ_OVERFLOW;
        DropReason otherDrop = kind == IommuKind.VTD ? DropReason.PRIQ_OVERFLOW : DropReason.PRQ_OVERFLOW;
        assertThat(end.ledger().overflowEvents).as("%s", end.ledger()).isPositive();
        assertThat(end.ledger().auto(AutoReason.QUEUE_OVERFLOW)).as("L=1 requests answered Success by the hardware").isPositive();
        assertThat(end.ledger().dropped(overflowDrop)).as("L=0 requests dropped on overflow").isPositive();
        assertThat(end.ledger().dropped(otherDrop)).isZero();
        assertThat(end.ledger().queueHighWater).isLessThanOrEqualTo(depth);
        assertThat(end.ledger().auto(AutoReason.SHUTDOWN)).isZero();
        assertThat(end.issuedGroups()).isEqualTo(devices * perDevice);
        assertThat(end.completedGroups()).isEqualTo(devices * perDevice);
        assertThat(end.creditsInUse()).isZero();
        for (var d : end.devices()) assertThat(d.creditsInUse()).isZero();
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }
}
