package io.faultfabric.streams;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.StallEventQueue;
import io.faultfabric.engine.direct.DirectFabric;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import io.faultfabric.engine.workload.FaultSequence;
import io.faultfabric.engine.workload.LoadProfile;
import io.faultfabric.engine.workload.PasidChoice;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same seeded workload through the actor fabric and through DirectFabric gives the same outcome
 * counts per code and reason: the actors carry the engine's rules and change nothing (no timing-dependent
 * fault in play: no timeouts, no overflow, owners decide from the seed and the group's identity).
 */
@ExtendWith(LogCapturingExtension.class)
class DifferentialTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final long SEED = 20261125L;
    private static final int PER_DEVICE = 500;

    @AfterAll
    static void down() {
        KIT.shutdownTestKit();
    }

    @ParameterizedTest
    @EnumSource(RoutingMode.class)
    void actorsAndDirectFabricAgreeOnEveryOutcomeCount(RoutingMode mode) throws Exception {
        Topology topology = new UniformTopology(2, IommuKind.VTD, 2048, 4, 1, 256, 64, 2, UniformTopology.Assignment.STRIDED,
            List.of(OwnerKind.HOST_SVA, OwnerKind.USER_DRIVER, OwnerKind.VDPA), 0, 512, mode).build();
        // Invalid for some groups, Success for the rest; handler failures left out (they disable PRI, which is timing-dependent)
        FaultPolicy policy = new FaultPolicy(ServiceTime.ZERO, 0.1, 0.0, 4096);
        PasidChoice choice = PasidChoice.zipf(1.1);

        assertAgree(topology, policy, choice);
    }

    @ParameterizedTest
    @EnumSource(RoutingMode.class)
    void withStallingDevicesBesidePriDevicesTheyAgreeOnEveryCountAndEveryResume(RoutingMode mode) throws Exception {
        // two SMMUv3 units, each with two PRI devices and two stalling platform devices (at most 8 stalled transactions each)
        Topology topology = new UniformTopology(2, IommuKind.SMMUV3, 2048, 4, 0, 256, 64, 2, UniformTopology.Assignment.STRIDED,
            List.of(OwnerKind.HOST_SVA, OwnerKind.USER_DRIVER, OwnerKind.VDPA), 0, 512, mode, 2, 8, 64).build();
        FaultPolicy policy = new FaultPolicy(ServiceTime.ZERO, 0.1, 0.0, 4096);

        OutcomeLedger[] both = assertAgree(topology, policy, PasidChoice.zipf(1.1));

        OutcomeLedger direct = both[0], actors = both[1];
        assertThat(direct.stallsIssued).isEqualTo((long) PER_DEVICE * topology.stallingDeviceCount());
        assertThat(actors.stallsIssued).isEqualTo(direct.stallsIssued);
        for (StallEventQueue.Resume a : StallEventQueue.Resume.values()) assertThat(actors.resumes(a)).as(a.name()).isEqualTo(direct.resumes(a));
        assertThat(direct.resumes(StallEventQueue.Resume.ABORT)).as("Invalid aborts stalls").isPositive();
        assertThat(actors.resumesReceived()).isEqualTo(actors.stallsIssued);
    }

    /** Runs both fabrics and requires the same counts per code and reason; returns {direct, actors}. */
    private static OutcomeLedger[] assertAgree(Topology topology, FaultPolicy policy, PasidChoice choice) throws Exception {
        OutcomeLedger direct = runDirect(topology, policy, choice);
        OutcomeLedger actors = runActors(topology, policy, choice);

        assertThat(actors.groupsIssued).isEqualTo(direct.groupsIssued).isEqualTo((long) PER_DEVICE * topology.deviceCount());
        for (ResponseCode c : ResponseCode.values()) assertThat(actors.answered(c)).as(c.name()).isEqualTo(direct.answered(c));
        for (AutoReason r : AutoReason.values()) assertThat(actors.auto(r)).as(r.name()).isEqualTo(direct.auto(r));
        assertThat(actors.requestsIssued).isEqualTo(direct.requestsIssued);
        assertThat(direct.answered(ResponseCode.INVALID)).as("the policy's Invalid share shows").isPositive();
        return new OutcomeLedger[] {direct, actors};
    }

    private static OutcomeLedger runDirect(Topology topology, FaultPolicy policy, PasidChoice choice) {
        DirectFabric df = DirectFabric.builder(topology).seed(SEED).choice(choice).requestsPerGroup(1, 4).policies(o -> policy).build();
        int n = topology.deviceCount();
        FaultSequence[] seq = new FaultSequence[n];
        for (int d = 0; d < n; d++) seq[d] = new FaultSequence(SEED, topology, d, choice, 1, 4);
        // exactly PER_DEVICE groups per device, as the fabric's load run issues them
        boolean more = true;
        while (more) {
            more = false;
            for (int d = 0; d < n; d++) {
                int dev = d;
                while (seq[d].drawn() < PER_DEVICE) {
                    long now = System.nanoTime();
                    int issued = seq[d].issueNext(df.device(d), now, r -> {
                        df.deviceChecker(dev).onIssued(r);
                        df.core(topology.deviceIommu(dev)).offer(r, now);
                    });
                    if (issued == 0) break;
                }
                more |= seq[d].drawn() < PER_DEVICE;
            }
            df.pump();
        }
        assertThat(df.check().none()).as(df.check().toString()).isTrue();
        return df.ledger();
    }

    private static OutcomeLedger runActors(Topology topology, FaultPolicy policy, PasidChoice choice) throws Exception {
        FaultFabric fabric = FaultFabric.builder(KIT.system(), topology).seed(SEED).choice(choice).requestsPerGroup(1, 4)
            .policies(o -> policy).start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        LoadRun run = LoadRun.start(fabric, KIT.system(), new LoadProfile.Closed(64), SEED, (long) PER_DEVICE * topology.deviceCount(), null);
        run.completion().toCompletableFuture().get(60, TimeUnit.SECONDS);
        long expected = (long) PER_DEVICE * topology.deviceCount();
        // the ticket streams may end while devices still hold tickets they have not issued: wait for every group to be out and answered
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            FabricSnapshot s = fabric.snapshot().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return s.issuedGroups() == expected && s.outstandingGroups() == 0;
        });
        FabricSnapshot end = fabric.shutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
        return end.ledger();
    }
}
