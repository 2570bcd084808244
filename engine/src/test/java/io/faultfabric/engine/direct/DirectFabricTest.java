package io.faultfabric.engine.direct;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.DeviceState;
import io.faultfabric.engine.Faults;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.IommuOutput;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import io.faultfabric.engine.workload.PasidChoice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.faultfabric.engine.Faults.req;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class DirectFabricTest {
    private static final Topology SMALL = UniformTopology.small().build();

    private static Topology uniform(IommuKind kind, int depth, int allocation, RoutingMode mode) {
        return new UniformTopology(2, kind, depth, 2, 1, 32, allocation, 2, UniformTopology.Assignment.STRIDED,
            List.of(OwnerKind.HOST_SVA, OwnerKind.USER_DRIVER), 0, 1, mode).build();
    }

    private static void assertClean(DirectFabric.RunResult r, long groups) {
        assertThat(r.violations().none()).as(r.violations().toString()).isTrue();
        assertThat(r.groupsIssued()).isEqualTo(groups);
        assertThat(r.ledger().groupsIssued).isEqualTo(groups);
        assertThat(r.ledger().groupsCompleted()).isEqualTo(groups);
    }

    @Test
    void builderRefusesBadArguments() {
        DirectFabric.Builder b = DirectFabric.builder(SMALL);
        assertThatThrownBy(() -> DirectFabric.builder(null)).hasMessage("topology");
        assertThatThrownBy(() -> b.requestsPerGroup(0, 1)).hasMessageStartingWith("requestsPerGroup");
        assertThatThrownBy(() -> b.requestsPerGroup(3, 2)).hasMessageStartingWith("requestsPerGroup");
        assertThatThrownBy(() -> b.requestsPerGroup(1, 513)).hasMessageStartingWith("requestsPerGroup");
        assertThatThrownBy(() -> b.issueBurst(0)).hasMessageStartingWith("issueBurst");
        assertThatThrownBy(() -> b.choice(null)).hasMessage("choice");
        assertThatThrownBy(() -> b.policies(null)).hasMessage("policies");
        assertThatThrownBy(() -> b.outputDecorator(null)).hasMessage("outputDecorator");
    }

    @Test
    void groupsLargerThanADevicesAllocationAreRefusedAtBuild() {
        // small() gives each device 32 credits: a group of 33 could never be issued
        assertThatThrownBy(() -> DirectFabric.builder(SMALL).requestsPerGroup(1, 33).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestsPerGroup").hasMessageContaining("allocation 32");
        assertThat(DirectFabric.builder(SMALL).requestsPerGroup(1, 32).build().run(100).violations().none()).isTrue();
    }

    @Test
    void runsAccumulateAndEveryGroupIsAnsweredOnce() {
        DirectFabric f = DirectFabric.builder(SMALL).seed(3).requestsPerGroup(1, 4).build();
        assertClean(f.run(5_000), 5_000);
        DirectFabric.RunResult r = f.run(5_000);
        assertClean(r, 10_000);
        assertThat(r.ledger().requestsInAnsweredGroups).isEqualTo(r.ledger().requestsIssued);
        assertThat(r.ledger().requestsIssued).isBetween(20_000L, 30_000L);
        assertThat(r.ledger().groupsDispatched).isEqualTo(10_000);
        assertThat(r.elapsedNanos()).isPositive();
        assertThat(r.groupsPerSecond()).isPositive();
        assertThat(f.outstanding()).isZero();
        for (int d = 0; d < SMALL.deviceCount(); d++) {
            assertThat(f.device(d).creditsInUse()).isZero();
            assertThat(f.deviceChecker(d).inFlight()).isZero();
        }
    }

    @Test
    void theSameSeedGivesTheSameOutcomes() {
        FaultPolicy p = new FaultPolicy(ServiceTime.ZERO, 0.2, 0.0, 16);
        OutcomeLedger a = DirectFabric.builder(SMALL).seed(11).choice(PasidChoice.zipf(1.2)).policies(o -> p).build().run(3_000).ledger();
        OutcomeLedger b = DirectFabric.builder(SMALL).seed(11).choice(PasidChoice.zipf(1.2)).policies(o -> p).build().run(3_000).ledger();
        assertThat(a.outcomes()).isEqualTo(b.outcomes());
        assertThat(a.completedWith(ResponseCode.INVALID)).isBetween(400L, 800L);
    }

    @Test
    void deviceModeRoutesEveryGroupToTheDeviceOwner() {
        Topology t = uniform(IommuKind.VTD, 256, 16, RoutingMode.DEVICE);
        int[] seen = new int[t.ownerCount()];
        DirectFabric f = DirectFabric.builder(t).seed(5).outputDecorator(real -> new IommuOutput() {
            @Override public void dispatch(PageRequestGroup g) { seen[g.handler()]++; real.dispatch(g); }
            @Override public void respond(PageRequestGroup g) { real.respond(g); }
        }).build();
        assertClean(f.run(4_000), 4_000);
        for (int o = 0; o < t.ownerCount(); o++) {
            if (t.isDeviceOwner(o)) assertThat(seen[o]).as("device owner %d", o).isPositive();
            else assertThat(seen[o]).as("address space owner %d", o).isZero();
        }
    }

    @Test
    void tinyQueuesOverflowAndEveryGroupIsStillAnsweredOnce() {
        for (IommuKind kind : IommuKind.values()) {
            DirectFabric f = DirectFabric.builder(uniform(kind, 2, 16, RoutingMode.OWNER)).seed(9).requestsPerGroup(1, 3).issueBurst(16).build();
            DirectFabric.RunResult r = f.run(3_000);
            assertClean(r, 3_000);
            assertThat(r.ledger().auto(AutoReason.QUEUE_OVERFLOW)).as(kind.name()).isPositive();
            assertThat(r.ledger().overflowEvents).as(kind.name()).isPositive();
            assertThat(r.ledger().requestsDropped()).as(kind.name()).isPositive();
        }
    }

    @Test
    void failingHandlersDisablePriAndTheDriversResetBringsItBack() {
        FaultPolicy failing = new FaultPolicy(ServiceTime.ZERO, 0.0, 0.02, 16);
        DirectFabric f = DirectFabric.builder(SMALL).seed(1).policies(o -> failing).build();
        DirectFabric.RunResult r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> f.run(20_000));
        assertClean(r, 20_000);
        assertThat(r.ledger().auto(AutoReason.HANDLER_FAILED)).isBetween(200L, 600L);
        assertThat(r.ledger().priDisabledEvents).isPositive();
        for (int d = 0; d < SMALL.deviceCount(); d++) {
            assertThat(f.device(d).priEnabled()).isTrue();
            assertThat(f.device(d).responseFailureStatus()).isFalse();
        }
    }

    @Test
    void aFabricThatCanNoLongerMoveSaysSoInsteadOfSpinning() {
        // every response is lost: the devices run out of credits
        DirectFabric f = DirectFabric.builder(SMALL).outputDecorator(real -> new IommuOutput() {
            @Override public void dispatch(PageRequestGroup g) { real.dispatch(g); }
            @Override public void respond(PageRequestGroup g) {}
        }).build();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
            assertThatThrownBy(() -> f.run(1_000)).isInstanceOf(IllegalStateException.class).hasMessageContaining("no progress"));
    }

    @Test
    void aResetWaitsForTheGroupsTheDeviceAwaitsAndForgetsItsOpenOnes() {
        DirectFabric f = DirectFabric.builder(SMALL).build();
        int pf = SMALL.devicePfRid(0), pasid = SMALL.pasidOf(0, 0);
        f.send(0, req(pf, pasid, 1, false, 1));      // open: forgotten by the reset
        f.send(0, req(pf, pasid, 2, true, 2));       // closed, still queued: the reset waits for its answer
        f.resetDevice(0);
        assertThat(f.device(0).resetting()).isTrue();
        assertThat(f.deviceChecker(0).resetting()).isTrue();
        assertThat(f.device(0).creditsInUse()).isEqualTo(1);
        f.pump();
        assertThat(f.device(0).resetting()).isFalse();
        assertThat(f.deviceChecker(0).resetting()).isFalse();
        assertThat(f.device(0).creditsInUse()).isZero();
        assertThat(f.check().none()).as(f.check().toString()).isTrue();
        assertClean(f.run(1_000), 1_001);
    }

    @Test
    void sendOffersHandWrittenRequests() {
        DirectFabric f = DirectFabric.builder(SMALL).build();
        int pf = SMALL.devicePfRid(0), pasid = SMALL.pasidOf(0, 0);
        assertThat(f.send(0, req(pf, pasid, 7, false, 1))).isEqualTo(DeviceState.Issue.ISSUED);
        assertThat(f.send(0, Faults.stop(pf, pasid, 0))).isEqualTo(DeviceState.Issue.ISSUED);
        assertThat(f.send(0, req(pf, pasid, 7, true, 1))).isEqualTo(DeviceState.Issue.ISSUED);
        assertThat(f.send(0, req(pf, pasid, 7, true, 2))).isEqualTo(DeviceState.Issue.PRGI_BUSY);
        assertThat(f.send(1, req(pf, pasid, 8, true, 3))).isEqualTo(DeviceState.Issue.NOT_MY_RID);
        assertThat(f.core(0).queueDepth()).isEqualTo(3);
        assertThat(f.outstanding()).isEqualTo(1);
        f.pump();
        assertThat(f.outstanding()).isZero();
        assertThat(f.core(0).queueDepth()).isZero();
        assertThat(f.ledger().stopMarkersConsumed).isEqualTo(1);
        assertThat(f.ledger().groupsCompleted()).isEqualTo(1);
        assertThat(f.check().none()).as(f.check().toString()).isTrue();
        assertThat(f.topology()).isSameAs(SMALL);
    }
}
