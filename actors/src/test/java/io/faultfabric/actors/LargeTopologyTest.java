package io.faultfabric.actors;

import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageAddress;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.Permissions;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 4 IOMMUs x 64 devices each, 16,384 PASIDs in total (64 per device), every PASID its own owner actor, the four
 * owner kinds in turn (a quarter of them guests behind four vIOMMUs): the tree starts, every PASID faults once,
 * every group is answered, and the whole system shuts down, within the test.
 */
@ExtendWith(LogCapturingExtension.class)
class LargeTopologyTest {

    @ParameterizedTest(name = "{0} mode")
    @EnumSource(RoutingMode.class)
    void sixteenThousandOwnersStartFaultEveryPasidAndShutDown(RoutingMode mode) {
        Topology topology = new UniformTopology(4, IommuKind.VTD, 2048, 64, 0, 16_384, 64, 1, UniformTopology.Assignment.CONTIGUOUS,
            List.of(OwnerKind.HOST_SVA, OwnerKind.USER_DRIVER, OwnerKind.VDPA, OwnerKind.GUEST), 4, 4096, mode).build();
        ActorTestKit testKit = ActorTestKit.create("large-" + mode.name().toLowerCase(), FabricFixture.config(false));
        long t0 = System.nanoTime();
        boolean down = false;
        try {
            // a cold JVM on two cores can take longer than 500 ms to give 16k owners their first message: not what this tests
            FabricSettings settings = FabricFixture.settings(FabricSettings.OwnerSupervision.RESTART).withResponseTimeout(Duration.ofSeconds(30));
            FabricFixture f = new FabricFixture(testKit, topology, settings, o -> FaultPolicy.DEFAULT);
            long started = System.nanoTime();
            assertThat(f.started.owners()).isEqualTo(mode == RoutingMode.OWNER ? 16_384 : 16_384 + 256);
            assertThat(f.started.devices()).isEqualTo(256);
            assertThat(f.started.viommus()).isEqualTo(4);

            TestProbe<Device.Ack> acks = testKit.createTestProbe();
            for (int d = 0; d < topology.deviceCount(); d++) {
                List<PageRequest> everyPasid = new ArrayList<>(64);
                for (int i = 0; i < topology.pasidsPerFunction(d); i++) {
                    everyPasid.add(new PageRequest(topology.devicePfRid(d), topology.pasidOf(d, i), true, i,
                        (0x4000L + i) * PageAddress.PAGE_SIZE, Permissions.READ, true, System.nanoTime(), i));
                }
                f.ctx.device(d).tell(new Device.Send(everyPasid, acks.ref()));
            }
            for (int d = 0; d < topology.deviceCount(); d++) acks.expectMessage(Duration.ofSeconds(20), Device.Ack.INSTANCE);
            TestProbe<Object> poll = testKit.createTestProbe();
            poll.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(20), () -> {
                OutcomeLedger sent = new OutcomeLedger();
                for (int i = 0; i < topology.iommuCount(); i++) {
                    IommuUnit.Snapshot u = f.iommu(i);
                    sent.merge(u.ledger());
                    assertThat(u.outstanding()).isZero();
                }
                assertThat(sent.answeredSent[ResponseCode.SUCCESS.ordinal()]).as("%s", sent).isEqualTo(16_384);
                return null;
            });
            Fabric.Snapshot all = poll.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
                Fabric.Snapshot s = f.snapshotAll();
                assertThat(s.deviceLedger().answered(ResponseCode.SUCCESS)).isEqualTo(16_384);
                return s;
            });
            long faulted = System.nanoTime();
            assertThat(all.creditsInUse()).isZero();
            assertThat(all.groupsOutstanding()).isZero();
            assertThat(all.deviceLedger().groupsIssued).isEqualTo(16_384);
            assertThat(all.iommuLedger().groupsDispatched).isEqualTo(16_384);
            assertThat(all.rejected()).isZero();
            assertThat(all.viommus()).extracting(VIommu.Snapshot::injected).containsOnly(1024L);
            assertThat(all.violations().none()).as(all.violations().toString()).isTrue();

            Fabric.Snapshot end = f.shutdown();
            assertThat(end.deviceLedger().groupsCompleted()).isEqualTo(16_384);
            testKit.shutdownTestKit();
            down = true;
            long stopped = System.nanoTime();
            testKit.system().log().info("{} mode: start {} ms (spawn {} ms), fault 16384 PASIDs {} ms, shutdown {} ms", mode,
                (started - t0) / 1_000_000, f.started.spawnTime().toMillis(), (faulted - started) / 1_000_000, (stopped - faulted) / 1_000_000);
            assertThat(testKit.system().whenTerminated().isCompleted()).isTrue();
        } finally {
            if (!down) testKit.shutdownTestKit();
        }
    }
}
