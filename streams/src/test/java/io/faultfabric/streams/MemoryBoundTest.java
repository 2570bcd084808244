package io.faultfabric.streams;

import io.faultfabric.actors.Device;
import io.faultfabric.actors.IoasidOwner;
import io.faultfabric.actors.IommuUnit;
import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.workload.LoadProfile;
import io.faultfabric.engine.workload.PasidChoice;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 2^16 PASIDs (4 IOMMUs x 16 devices x 1,024), every one its own owner, every owner slow and some hung, under an
 * open-model load that asks for far more than they serve: nothing grows beyond the credits that bound it.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemoryBoundTest {
    private static final int IOMMUS = 4;
    private static final int DEVICES = 16;
    private static final int PASIDS = 1024;
    private static final int ALLOCATION = 32;

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("memory-bound").withCustomConfig(Fabrics.config()).build();

    @Test
    void sixtyFiveThousandSlowOrHungOwnersUnderLoadKeepEveryQueueWithinItsBound() {
        ActorSystem<?> system = testKit.system();
        Topology topology = Fabrics.uniform(IOMMUS, IommuKind.VTD, 2048, DEVICES, PASIDS, ALLOCATION, OwnerKind.HOST_SVA);
        // 1 ms a group, one at a time: 65,536 owners could serve 65 M groups/s, but a Zipf load makes each device's first
        // PASIDs hot, and those owners serve 1,000/s; a queue longer than an allocation is never needed (see below)
        FaultPolicy slow = new FaultPolicy(ServiceTime.constant(Duration.ofMillis(1).toNanos()), 0, 0, 2 * ALLOCATION);
        FaultFabric fabric = Fabrics.start(system, topology, b -> b.settings(Fabrics.settings(system, Duration.ofMillis(300)))
            .policies(o -> slow).choice(PasidChoice.zipf(1.2)).seed(3));
        assertThat(topology.ioasidOwnerCount()).isEqualTo(1 << 16);
        // the hottest owner of every device hangs: its groups wait for the response timeout
        for (int d = 0; d < topology.deviceCount(); d++) {
            fabric.context().owner(topology.ownerOfIoasid(topology.ioasidOf(d, 0, 0))).tell(new IoasidOwner.Hang(true));
        }

        Duration duration = Duration.ofSeconds(2);
        LoadRun run = LoadRun.start(fabric, system, new LoadProfile.Constant(200_000), 3, Long.MAX_VALUE, duration);
        boolean swept = false;
        do {
            withinBounds(Fabrics.snapshot(fabric));
            // every owner asked once, with the load under way (the hung owners have had their devices' credits for a while)
            if (!swept && System.nanoTime() - run.startNanos() > duration.toNanos() / 2) {
                everyOwnerWithinItsQueue(fabric, slow);
                swept = true;
            }
        } while (!run.completion().toCompletableFuture().isDone());
        Fabrics.join(run.completion());
        FabricSnapshot done = Fabrics.snapshot(fabric);
        withinBounds(done);
        if (!swept) everyOwnerWithinItsQueue(fabric, slow); // a slow machine: the load was over before half its time

        FabricSnapshot quiet = Fabrics.join(LoadRun.awaitQuiet(fabric, system, Fabrics.WAIT));
        assertThat(quiet.outstandingGroups()).isZero();
        // the devices held tickets in the streams' buffers when the deadline came, and dropped them
        assertThat(quiet.issuedGroups()).as("nothing issued after the deadline").isEqualTo(done.issuedGroups());
        FabricSnapshot end = Fabrics.join(fabric.shutdown());
        withinBounds(end);
        for (IommuUnit.Snapshot u : end.iommus()) {
            // the high-water mark: at no moment did a unit's queue hold more than its devices' credits
            assertThat(u.ledger().queueHighWater).isLessThanOrEqualTo((long) DEVICES * ALLOCATION);
        }
        assertThat(end.ledger().auto(AutoReason.TIMEOUT)).as("the hung owners' groups").isPositive();
        assertThat(end.ledger().auto(AutoReason.OWNER_QUEUE_FULL)).isZero();
        assertThat(end.ledger().answered(ResponseCode.SUCCESS)).as("the slow owners served").isPositive();
        assertThat(end.creditsInUse()).isZero();
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    /** Queues behind the devices: each unit's ring, and each device's requests in flight. */
    private static void withinBounds(FabricSnapshot s) {
        for (IommuUnit.Snapshot u : s.iommus()) {
            assertThat(u.queueDepth()).isLessThanOrEqualTo(2048).isLessThanOrEqualTo(DEVICES * ALLOCATION);
        }
        for (Device.Snapshot d : s.devices()) assertThat(d.creditsInUse()).isLessThanOrEqualTo(ALLOCATION);
    }

    /**
     * Every owner's own queue, asked of all 65,536 at once: within its capacity, and in fact within one device's
     * allocation, since an owner here holds the PASID of one device (and drops what the timeout answered).
     */
    private void everyOwnerWithinItsQueue(FaultFabric fabric, FaultPolicy policy) {
        TestProbe<IoasidOwner.Snapshot> probe = testKit.createTestProbe();
        int owners = fabric.topology().ioasidOwnerCount(); // OWNER mode: the device owners are not spawned
        for (int o = 0; o < owners; o++) fabric.context().owner(o).tell(new IoasidOwner.GetSnapshot(probe.ref()));
        List<IoasidOwner.Snapshot> all = probe.receiveSeveralMessages(owners, Fabrics.WAIT);
        for (IoasidOwner.Snapshot o : all) {
            assertThat(o.waiting()).as("owner %d", o.owner()).isLessThanOrEqualTo(policy.queueCapacity()).isLessThanOrEqualTo(ALLOCATION);
        }
    }
}
