package io.faultfabric.actors;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.Counterfeit;
import io.faultfabric.engine.DeviceState;
import io.faultfabric.engine.IommuCore;
import io.faultfabric.engine.IommuOutput;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.check.Invariant;
import io.faultfabric.engine.check.Violations;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import static io.faultfabric.actors.FabricFixture.PF;
import static io.faultfabric.actors.FabricSettings.OwnerSupervision.RESTART;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checkers are proven on the actor fabric itself: each test breaks the running fabric on purpose through the
 * test-only {@link FabricContext.Sabotage} seam, runs seeded load through it, shuts it down through the guardian (which
 * runs the end-of-run checks), and requires the verdict to name exactly the invariant it broke, and no other.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckersCatchABrokenFabricTest {
    private static final Topology TOPOLOGY = UniformTopology.small().build(); // one VT-d unit, 4 devices of 32 credits, 64 PASIDs
    private static final int GROUPS = 50_000;

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("broken").withCustomConfig(FabricFixture.config(true)).build();

    // ---------------------------------------------------------------- the harness

    /** Output of unit 0 with one call's worth of context: the real output, the group and how many such calls came before. */
    private record Call(IommuOutput real, PageRequestGroup group, long index, Supplier<IommuCore> core) {
        void dispatch() { real.dispatch(group); }

        void respond() { real.respond(group); }
    }

    private interface OnCall { void accept(Call c); }

    /** A unit whose dispatches and responses go through {@code dispatch} and {@code respond} instead of straight out. */
    private static FabricContext.Sabotage output(OnCall dispatch, OnCall respond) {
        return new FabricContext.Sabotage() {
            @Override
            public IommuOutput iommuOutput(int iommu, IommuOutput real, Supplier<IommuCore> core) {
                return new IommuOutput() {
                    long dispatched, responded;

                    @Override public void dispatch(PageRequestGroup g) { dispatch.accept(new Call(real, g, dispatched++, core)); }

                    @Override public void respond(PageRequestGroup g) { respond.accept(new Call(real, g, responded++, core)); }

                    @Override public void drained(int rid, int pasid) { real.drained(rid, pasid); }
                };
            }
        };
    }

    private Fabric.Snapshot runToTheEnd(FabricContext.Sabotage sabotage) {
        FabricRun r = run(sabotage, o -> FaultPolicy.DEFAULT).load(GROUPS);
        r.settle(0, Duration.ZERO);
        Fabric.Snapshot end = r.shutdown();
        assertThat(end.deviceLedger().groupsIssued).isEqualTo(GROUPS);
        return end;
    }

    private static void assertOnly(Violations v, Invariant broken) {
        assertThat(v.count(broken)).as(v.toString()).isPositive();
        for (Invariant other : Invariant.values()) {
            if (other != broken) assertThat(v.count(other)).as(other + " in " + v).isZero();
        }
    }

    // ---------------------------------------------------------------- the control

    @Test
    void aCleanRunThroughTheSameSeamReportsNothing() {
        Fabric.Snapshot end = runToTheEnd(output(Call::dispatch, Call::respond));

        assertThat(end.violations().counts().values()).containsOnly(0L);
        assertThat(end.deviceLedger().groupsCompleted()).isEqualTo(GROUPS);
    }

    // ---------------------------------------------------------------- one broken variant per invariant

    @Test
    void aRouterThatMisroutesOneGroupInTenThousandToAnotherOwner() {
        int owners = TOPOLOGY.ioasidOwnerCount();
        AtomicReference<FabricContext> ctx = new AtomicReference<>();
        FabricContext.Sabotage misroute = output(c -> {
            if (c.index() % 10_000 == 9_999) ctx.get().owner((c.group().handler() + 1) % owners).tell(new IoasidOwner.Fault(c.group(), null));
            else c.dispatch();
        }, Call::respond);
        FabricRun r = run(misroute, o -> FaultPolicy.DEFAULT);
        ctx.set(r.ctx);
        r.load(GROUPS).settle(0, Duration.ZERO);
        Violations v = r.shutdown().violations();

        assertOnly(v, Invariant.ROUTED_TO_ATTACHED_OWNER);
        assertThat(v.count(Invariant.ROUTED_TO_ATTACHED_OWNER)).isEqualTo(GROUPS / 10_000);
        assertThat(v.examples(Invariant.ROUTED_TO_ATTACHED_OWNER).get(0)).contains("which belongs to owner").contains("-> dispatched as group");
    }

    @Test
    void aPathThatAnswersSomeGroupTwice() {
        Violations v = runToTheEnd(output(Call::dispatch, c -> {
            c.respond();
            if (c.index() == 20_000) c.respond();
        })).violations();

        assertOnly(v, Invariant.ONE_RESPONSE_PER_GROUP);
        assertThat(v.count(Invariant.ONE_RESPONSE_PER_GROUP)).isEqualTo(1);
        assertThat(v.examples(Invariant.ONE_RESPONSE_PER_GROUP).get(0)).startsWith("second response to").contains("answered SUCCESS by its handler");
    }

    @Test
    void aPathThatForgetsATimedOutGroup() {
        // the owner never gets group 20,000; the unit's timeout answers it; that answer is the one lost
        AtomicReference<PageRequestGroup> held = new AtomicReference<>();
        FabricRun r = run(output(c -> {
            if (c.index() == 20_000) held.set(c.group()); else c.dispatch();
        }, c -> {
            if (c.group() != held.get()) c.respond();
        }), o -> FaultPolicy.DEFAULT).load(GROUPS);
        r.settle(1, Duration.ZERO);

        ManualTime.get(testKit.system()).timePasses(FabricFixture.TIMEOUT.plus(FabricFixture.TICK.multipliedBy(2)));
        TestProbe<Object> poll = testKit.createTestProbe();
        poll.awaitAssert(() -> assertThat(held.get().autoReason()).isEqualTo(AutoReason.TIMEOUT));
        Fabric.Snapshot end = r.shutdown();

        assertOnly(end.violations(), Invariant.ONE_RESPONSE_PER_GROUP);
        assertThat(end.violations().examples(Invariant.ONE_RESPONSE_PER_GROUP))
            .anyMatch(e -> e.startsWith("lost: device") && e.contains("group sequence " + held.get().sequence()))
            .anyMatch(e -> e.contains("responses lost on the way"));
    }

    @Test
    void aResponseCopiedToAnotherDeviceOnceInTenThousand() {
        AtomicReference<FabricContext> ctx = new AtomicReference<>();
        FabricRun r = run(output(Call::dispatch, c -> {
            c.respond();
            if (c.index() % 10_000 == 9_999) {
                int other = (TOPOLOGY.deviceOfRid(c.group().rid()) + 1) % TOPOLOGY.deviceCount();
                ctx.get().device(other).tell(new Device.Responses(List.of(c.group())));
            }
        }), o -> FaultPolicy.DEFAULT);
        ctx.set(r.ctx);
        r.load(GROUPS).settle(0, Duration.ZERO);
        Violations v = r.shutdown().violations();

        assertOnly(v, Invariant.RESPONSE_MATCHES_GROUP);
        assertThat(v.count(Invariant.RESPONSE_MATCHES_GROUP)).isEqualTo(GROUPS / 10_000);
        assertThat(v.examples(Invariant.RESPONSE_MATCHES_GROUP).get(0)).contains("its RID is not a function of this device");
    }

    @Test
    void aDeviceThatOverrunsItsCredits() {
        // the device believes it has twice the allocation the topology gives it
        Violations v = runToTheEnd(devicesNamed(rids -> new DeviceState(rids, TOPOLOGY.deviceAllocation(0) * 2))).violations();

        assertOnly(v, Invariant.CREDITS_WITHIN_ALLOCATION);
        assertThat(v.examples(Invariant.CREDITS_WITHIN_ALLOCATION).get(0)).contains("allocation 32");
    }

    @Test
    void aRouterThatDispatchesAGroupBeforeItsLastRequest() {
        // every multi-request group: a copy holding its first request only goes out ahead of the whole group
        Violations v = runToTheEnd(output(c -> {
            if (c.group().requestCount() > 1) c.real().dispatch(Counterfeit.prematureCopy(c.group()));
            c.dispatch();
        }, Call::respond)).violations();

        assertOnly(v, Invariant.DISPATCH_AFTER_LAST);
        assertThat(v.examples(Invariant.DISPATCH_AFTER_LAST).get(0)).contains("was handed an unclosed group");
    }

    @Test
    void aDeviceThatTurnsItsPriBackOnAfterResponseFailureWithoutAReset() {
        FaultPolicy failing = new FaultPolicy(ServiceTime.ZERO, 0, 0.0005, 4096);
        Violations v = runToTheEnd(devicesNamed(rids -> new DeviceState(rids, 32) {
            @Override public boolean onResponse(PageRequestGroup g) {
                boolean expected = super.onResponse(g);
                if (responseFailureStatus() && !resetting()) beginReset(); // on its own, behind its driver's back
                return expected;
            }
        }), o -> failing);

        assertOnly(v, Invariant.PRI_DISABLED_AFTER_FAILURE);
    }

    @Test
    void theSameResponseFailuresWithARealDeviceAndItsDriversResetBreakNothing() {
        FaultPolicy failing = new FaultPolicy(ServiceTime.ZERO, 0, 0.0005, 4096);
        FabricRun r = run(FabricContext.Sabotage.NONE, o -> failing);
        r.ctx.driverRecovery(Duration.ofMillis(5));
        r.load(GROUPS).settle(0, Duration.ofMillis(5));
        Fabric.Snapshot end = r.shutdown();

        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
        assertThat(end.deviceLedger().priDisabledEvents).as("Response Failure disabled PRI").isPositive();
        assertThat(end.deviceLedger().groupsCompleted()).isEqualTo(end.deviceLedger().groupsIssued);
    }

    @Test
    void anIommuThatAnswersAStopMarker() {
        FabricRun r = run(new FabricContext.Sabotage() {
            @Override
            public IommuOutput iommuOutput(int iommu, IommuOutput real, Supplier<IommuCore> core) {
                return new IommuOutput() {
                    @Override public void dispatch(PageRequestGroup g) { real.dispatch(g); }

                    @Override public void respond(PageRequestGroup g) { real.respond(g); }

                    @Override public void drained(int rid, int pasid) {
                        real.drained(rid, pasid);
                        // the teardown's stop marker was consumed; this unit answers it as well
                        real.respond(Counterfeit.answeredStopMarker(iommu, core.get().deviceIndexOf(rid),
                            PageRequest.stopMarker(rid, pasid, 0, 0), ResponseCode.INVALID));
                    }
                };
            }
        }, o -> FaultPolicy.DEFAULT).load(GROUPS);
        r.settle(0, Duration.ZERO);
        int rid = TOPOLOGY.devicePfRid(0);
        TestProbe<StatusReply<Done>> stopped = testKit.createTestProbe();
        r.ctx.device(0).tell(new Device.StopPasid(rid, TOPOLOGY.pasidOf(0, 0), stopped.ref()));
        assertThat(stopped.receiveMessage(Duration.ofSeconds(10)).isSuccess()).isTrue();
        Violations v = r.shutdown().violations();

        assertOnly(v, Invariant.STOP_MARKERS_UNANSWERED);
        assertThat(v.examples(Invariant.STOP_MARKERS_UNANSWERED).get(0)).startsWith("a stop marker was answered");
    }

    @Test
    void aDrainThatFreesThePasidBeforeItsQueueIsEmpty() {
        // the unit frees the PASID as soon as the detach has answered its pending groups, with its requests still queued
        FabricContext.Sabotage earlyFree = output(Call::dispatch, c -> {
            c.respond();
            PageRequestGroup g = c.group();
            if (g.autoReason() == AutoReason.DETACHED && c.core().get().routing().isDraining(g.rid(), g.pasid())) {
                c.core().get().routing().freeDrained(g.rid(), g.pasid());
            }
        });
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(OwnerKind.HOST_SVA, RoutingMode.OWNER, 2, 128, 128),
            FabricFixture.settings(RESTART), o -> FaultPolicy.DEFAULT, earlyFree);
        TestProbe<StatusReply<Done>> control = testKit.createTestProbe();
        f.ctx.owner(0).tell(new IoasidOwner.Hang(true));
        f.send(0, f.group(1, 0, 1));
        f.awaitOwner(0, s -> s.waiting() == 1); // outstanding at its hung owner
        f.ctx.iommu(0).tell(new IommuUnit.Stall(true, control.ref()));
        assertThat(control.receiveMessage().isSuccess()).isTrue();
        List<PageRequest> queued = new ArrayList<>();
        for (int prgi = 1; prgi <= 40; prgi++) queued.addAll(f.group(1, prgi, 1));
        f.send(0, queued); // held in the stalled unit's queue
        TestProbe<Object> queuedYet = testKit.createTestProbe();
        queuedYet.awaitAssert(() -> assertThat(f.iommu(0).queueDepth()).isEqualTo(40)); // the device acks before its batch is out

        f.ctx.iommu(0).tell(new IommuUnit.Detach(PF, 1, testKit.<StatusReply<Done>>createTestProbe().ref()));
        f.ctx.iommu(0).tell(new IommuUnit.Attach(PF, 1, 0, control.ref()));
        assertThat(control.receiveMessage().isSuccess()).as("the broken drain let the PASID be attached again").isTrue();
        f.ctx.iommu(0).tell(new IommuUnit.Stall(false, control.ref()));
        assertThat(control.receiveMessage().isSuccess()).isTrue();
        f.ctx.owner(0).tell(new IoasidOwner.Hang(false));
        TestProbe<Object> poll = testKit.createTestProbe();
        poll.awaitAssert(() -> assertThat(f.device(0).groupsOutstanding()).isZero());
        Violations v = f.shutdown().violations();

        assertOnly(v, Invariant.NO_REUSE_BEFORE_DRAIN);
        assertThat(v.count(Invariant.NO_REUSE_BEFORE_DRAIN)).isEqualTo(1);
        assertThat(v.examples(Invariant.NO_REUSE_BEFORE_DRAIN).get(0))
            .contains("pasid 1 of rid 01:00.0 attached again while its earlier use was not drained: queued").contains("and 39 more queued");
    }

    @Test
    void aLedgerThatCountsARequestItNeverSaw() {
        AtomicLong seen = new AtomicLong();
        Violations v = runToTheEnd(devicesNamed(rids -> new DeviceState(rids, 32) {
            @Override public Issue issue(PageRequest r) {
                Issue st = super.issue(r);
                if (st == Issue.ISSUED && seen.incrementAndGet() % 10_000 == 0) ledger().requestsIssued++;
                return st;
            }
        })).violations();

        assertOnly(v, Invariant.OUTCOMES_ADD_UP);
        assertThat(v.examples(Invariant.OUTCOMES_ADD_UP).get(0)).startsWith("requests issued");
    }

    private Violations runToTheEnd(FabricContext.Sabotage sabotage, IntFunction<FaultPolicy> policies) {
        FabricRun r = run(sabotage, policies).load(GROUPS);
        r.settle(0, Duration.ZERO);
        return r.shutdown().violations();
    }

    private static FabricContext.Sabotage devicesNamed(java.util.function.Function<int[], DeviceState> make) {
        return new FabricContext.Sabotage() {
            @Override
            public DeviceState deviceState(int device, int[] rids, int allocation) { return make.apply(rids); }
        };
    }

    private FabricRun run(FabricContext.Sabotage sabotage, IntFunction<FaultPolicy> policies) {
        return new FabricRun(testKit, TOPOLOGY, 17L, sabotage, policies);
    }
}
