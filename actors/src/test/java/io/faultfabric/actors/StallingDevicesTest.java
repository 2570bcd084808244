package io.faultfabric.actors;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.IommuCore;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.IommuOutput;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.RejectReason;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.StallEventQueue;
import io.faultfabric.engine.check.Invariant;
import io.faultfabric.engine.check.Violations;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SMMUv3 stall model on the actor fabric: PRI devices and stalling platform devices behind one SMMUv3 unit, fed
 * seeded load, shut down through the guardian (which runs the end-of-run checks). Owners are unchanged: to them a stall
 * is a one-request group.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StallingDevicesTest {
    private static final int GROUPS = 20_000;

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("stalls").withCustomConfig(FabricFixture.config(true)).build();

    /** One SMMUv3 unit, four devices (two stalling at most 8 transactions each, then two PRI with 32 credits), event queue of 4. */
    private static Topology mixed(RoutingMode mode) {
        return new UniformTopology(1, IommuKind.SMMUV3, 256, 4, 0, 64, 32, 1, UniformTopology.Assignment.CONTIGUOUS,
            List.of(OwnerKind.HOST_SVA, OwnerKind.USER_DRIVER), 0, 1, mode, 2, 8, 4).build();
    }

    private static void assertEveryStallResumedOnce(Fabric.Snapshot end, int groups) {
        assertThat(end.violations().total()).as(end.violations().toString()).isZero();
        OutcomeLedger devices = end.deviceLedger(), units = end.iommuLedger();
        assertThat(devices.groupsCompleted()).isEqualTo(groups);
        assertThat(devices.stallsIssued).isGreaterThan(groups / 10);
        assertThat(devices.resumesReceived()).isEqualTo(devices.stallsIssued);
        assertThat(units.resumesSent()).isEqualTo(devices.stallsIssued);
        assertThat(units.stallsTaken).isEqualTo(devices.stallsIssued);
        assertThat(devices.unexpectedResumes).isZero();
        assertThat(units.responsesRejected()).isZero();
    }

    @Test
    void everyStallIsResumedOnceInOwnerAndDeviceModeAndAbortsFollowInvalid() {
        for (RoutingMode mode : RoutingMode.values()) {
            FabricRun r = run(mixed(mode), FabricContext.Sabotage.NONE, o -> new FaultPolicy(ServiceTime.ZERO, 0.2, 0, 4096)).load(GROUPS);
            r.settle(0, Duration.ZERO);
            Fabric.Snapshot end = r.shutdown();

            assertEveryStallResumedOnce(end, GROUPS);
            OutcomeLedger devices = end.deviceLedger();
            assertThat(devices.resumes(StallEventQueue.Resume.ABORT)).as(mode.name()).isPositive();
            assertThat(devices.resumes(StallEventQueue.Resume.RETRY)).as(mode.name()).isGreaterThan(devices.resumes(StallEventQueue.Resume.ABORT));
            assertThat(devices.priDisabledEvents).isZero();
            // stalling devices keep at most 8 transactions each, so at most 16 records; the queue holds 4: the rest waited
            assertThat(end.iommuLedger().eventQueueHighWater).isLessThanOrEqualTo(4);
            assertThat(end.iommuLedger().stallsWaitedForRoom).as(mode.name()).isPositive();
            for (Device.Snapshot d : end.devices()) {
                if (r.topology.deviceStalls(d.device())) {
                    assertThat(d.ledger().stallsIssued).isEqualTo(d.ledger().groupsIssued);
                    assertThat(d.priEnabled()).isTrue();
                }
            }
        }
    }

    @Test
    void aHungOwnersStallsAreAbortedByTheTimeoutAndTheDeviceGoesOn() {
        Topology t = mixed(RoutingMode.OWNER);
        FabricRun r = run(t, FabricContext.Sabotage.NONE, o -> FaultPolicy.DEFAULT);
        int stallingOwner = t.ownerOfIoasid(t.ioasidOf(0, 0, 0));
        r.ctx.owner(stallingOwner).tell(new IoasidOwner.Hang(true));
        int groups = 2_000;
        TestProbe<Device.Ack> acks = testKit.createTestProbe();
        for (int d = 0; d < t.deviceCount(); d++) {
            r.ctx.device(d).tell(new Device.Generate(new long[groups / 4], groups / 4, Integer.MAX_VALUE, Long.MAX_VALUE, acks.ref()));
        }
        // the hung owner's stalls hold device 0's slots until they time out: time must pass for the load to get out
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Fabric.Snapshot s = r.snapshot();
        while (s.deviceLedger().groupsIssued < groups || s.groupsOutstanding() > 0) {
            assertThat(System.nanoTime()).as("%d issued, %d outstanding", s.deviceLedger().groupsIssued, s.groupsOutstanding()).isLessThan(until);
            ManualTime.get(testKit.system()).timePasses(FabricFixture.TICK);
            s = r.snapshot();
        }
        Fabric.Snapshot end = r.shutdown();

        assertEveryStallResumedOnce(end, groups);
        Device.Snapshot stalling = end.devices().get(0);
        assertThat(stalling.ledger().auto(AutoReason.TIMEOUT)).isPositive();
        assertThat(stalling.ledger().resumes(StallEventQueue.Resume.ABORT)).isEqualTo(stalling.ledger().auto(AutoReason.TIMEOUT));
    }

    @Test
    void aPathThatResumesSomeStallTwiceIsCaughtAsAStallWithTwoResumes() {
        FabricContext.Sabotage twice = new FabricContext.Sabotage() {
            @Override
            public IommuOutput iommuOutput(int iommu, IommuOutput real, Supplier<IommuCore> core) {
                return new IommuOutput() {
                    long stalls;

                    @Override public void dispatch(PageRequestGroup g) { real.dispatch(g); }

                    @Override public void respond(PageRequestGroup g) {
                        real.respond(g);
                        if (g.isStall() && stalls++ == 3_000) real.respond(g);
                    }

                    @Override public void drained(int rid, int pasid) { real.drained(rid, pasid); }
                };
            }
        };
        FabricRun r = run(mixed(RoutingMode.OWNER), twice, o -> FaultPolicy.DEFAULT).load(GROUPS);
        r.settle(0, Duration.ZERO);
        Violations v = r.shutdown().violations();

        assertThat(v.count(Invariant.STOP_MARKERS_UNANSWERED)).as(v.toString()).isEqualTo(1);
        assertThat(v.total()).isEqualTo(1);
        assertThat(v.examples(Invariant.STOP_MARKERS_UNANSWERED).get(0)).startsWith("second resume of a stalled transaction");
    }

    @Test
    void aSecondResumeFromTheOwnerIsRejectedAtTheUnitAndNeverReachesTheDevice() {
        Topology t = mixed(RoutingMode.OWNER);
        FabricRun r = run(t, FabricContext.Sabotage.NONE, o -> FaultPolicy.DEFAULT).load(400);
        r.settle(0, Duration.ZERO);
        // an owner that answers again a stall it already answered: its STAG is no longer outstanding
        TestProbe<java.util.List<PageRequestGroup>> published = testKit.createTestProbe();
        r.ctx.device(0).tell(new Device.Subscribe(published.ref()));
        TestProbe<Device.Ack> ack = testKit.createTestProbe();
        r.ctx.device(0).tell(new Device.Generate(new long[1], 1, Integer.MAX_VALUE, Long.MAX_VALUE, ack.ref()));
        PageRequestGroup answered = published.receiveMessage(Duration.ofSeconds(10)).get(0);
        assertThat(answered.isStall()).isTrue();
        r.ctx.device(0).tell(Device.Published.INSTANCE);
        r.ctx.iommu(0).tell(new IommuUnit.Answer(answered, answered.handler(), ResponseCode.SUCCESS));
        TestProbe<IommuUnit.Snapshot> unit = testKit.createTestProbe();
        unit.awaitAssert(() -> {
            r.ctx.iommu(0).tell(new IommuUnit.GetSnapshot(unit.ref()));
            return assertThat(unit.receiveMessage().ledger().rejected(RejectReason.UNKNOWN_STAG)).isEqualTo(1);
        });
        Fabric.Snapshot end = r.shutdown();

        assertThat(end.violations().total()).as(end.violations().toString()).isZero();
        assertThat(end.deviceLedger().unexpectedResumes).isZero();
        assertThat(end.deviceLedger().resumesReceived()).isEqualTo(end.deviceLedger().stallsIssued);
        assertThat(end.deviceLedger().groupsCompleted()).isEqualTo(401);
    }

    private FabricRun run(Topology topology, FabricContext.Sabotage sabotage, IntFunction<FaultPolicy> policies) {
        return new FabricRun(testKit, topology, 23L, sabotage, policies);
    }
}
