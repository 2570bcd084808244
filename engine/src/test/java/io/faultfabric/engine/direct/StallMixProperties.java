package io.faultfabric.engine.direct;

import io.faultfabric.engine.IommuCore;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.StallEventQueue;
import io.faultfabric.engine.check.Violations;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random mixes of PRI devices and stalling platform devices (SMMUv3 stall model) behind SMMUv3 units, through the whole
 * single-threaded path with the checkers on: every stall gets exactly one resume, RETRY exactly for Success, none is
 * dropped when the event queue is full, and the PRI traffic beside it keeps every rule it kept alone.
 */
class StallMixProperties {

    record Shape(int iommus, int devices, int stalling, int stallLimit, int eventDepth, int priDepth, int allocation, RoutingMode mode) {}

    @Provide
    Arbitrary<UniformTopology> mixes() {
        return Combinators.combine(Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 4), Arbitraries.integers().between(0, 4),
                Arbitraries.oneOf(Arbitraries.integers().between(1, 4), Arbitraries.integers().between(5, 64)),
                Arbitraries.oneOf(Arbitraries.integers().between(1, 4), Arbitraries.integers().between(5, 256)),
                Arbitraries.integers().between(4, 256), Arbitraries.integers().between(4, 32), Arbitraries.of(RoutingMode.class))
            .as(Shape::new)
            .flatMap(s -> Arbitraries.integers().between(1, 3).map(pasidsPerFunction -> {
                int stalling = Math.min(s.stalling(), s.devices());
                int pasids = s.iommus() * s.devices() * pasidsPerFunction;
                return new UniformTopology(s.iommus(), IommuKind.SMMUV3, s.priDepth(), s.devices(), 0, pasids, s.allocation(), 1,
                    UniformTopology.Assignment.CONTIGUOUS, List.of(OwnerKind.HOST_SVA, OwnerKind.USER_DRIVER), 0, 1, s.mode(),
                    stalling, s.stallLimit(), s.eventDepth());
            }));
    }

    @Provide
    Arbitrary<FaultPolicy> policies() {
        return Combinators.combine(Arbitraries.of(0.0, 0.1, 0.5), Arbitraries.of(0.0, 0.0, 0.01, 0.05))
            .as((invalid, failure) -> new FaultPolicy(ServiceTime.ZERO, invalid, failure, 64));
    }

    private static void assertEveryStallResumedOnce(DirectFabric f, DirectFabric.RunResult r, long groups) {
        Violations v = r.violations();
        assertThat(v.none()).as(v.toString()).isTrue();
        OutcomeLedger l = r.ledger();
        assertThat(r.groupsIssued()).isEqualTo(groups);
        assertThat(l.groupsCompleted()).isEqualTo(groups);
        assertThat(l.responsesRejected()).isZero();
        assertThat(l.resumesReceived()).isEqualTo(l.stallsIssued);
        assertThat(l.resumesSent()).isEqualTo(l.stallsIssued);
        assertThat(l.stallsTaken).isEqualTo(l.stallsIssued);
        assertThat(l.unexpectedResumes).isZero();
        Topology t = f.topology();
        for (int d = 0; d < t.deviceCount(); d++) {
            OutcomeLedger dl = f.device(d).ledger();
            if (t.deviceStalls(d)) {
                assertThat(dl.stallsIssued).isEqualTo(dl.groupsIssued);
                assertThat(dl.resumes(StallEventQueue.Resume.RETRY)).isEqualTo(dl.completedWith(ResponseCode.SUCCESS));
                assertThat(dl.resumes(StallEventQueue.Resume.ABORT))
                    .isEqualTo(dl.completedWith(ResponseCode.INVALID) + dl.completedWith(ResponseCode.RESPONSE_FAILURE));
                assertThat(dl.priDisabledEvents).as("a stalling device has no PRI to disable").isZero();
            } else {
                assertThat(dl.stallsIssued).isZero();
            }
            assertThat(f.device(d).creditsInUse()).isZero();
            assertThat(f.deviceChecker(d).inFlight()).isZero();
        }
        for (int i = 0; i < t.iommuCount(); i++) {
            IommuCore c = f.core(i);
            assertThat(c.outstandingCount()).isZero();
            assertThat(c.backlog()).isZero();
            if (c.stallQueue() != null) {
                assertThat(c.stallQueue().outstanding()).isZero();
                assertThat(c.ledger().eventQueueHighWater).isLessThanOrEqualTo(t.iommuEventQueueDepth(i));
            }
        }
    }

    @Property(tries = 150)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void everyStallIsResumedExactlyOnceBesidePriTraffic(@ForAll("mixes") UniformTopology u, @ForAll long seed,
                                                         @ForAll @IntRange(min = 1, max = 4) int maxRequests,
                                                         @ForAll @IntRange(min = 1, max = 64) int burst, @ForAll("policies") FaultPolicy p) {
        DirectFabric f = DirectFabric.builder(u.build()).seed(seed).requestsPerGroup(1, Math.min(maxRequests, u.allocation()))
            .issueBurst(burst).policies(o -> p).build();
        DirectFabric.RunResult r = f.run(1_500);
        assertEveryStallResumedOnce(f, r, 1_500);
        OutcomeLedger l = r.ledger();
        reached("PRI and stalls in one run", l.stallsIssued > 0 && l.stallsIssued < l.groupsIssued, 15);
        reached("stalls waited for room in the event queue", l.stallsWaitedForRoom > 0, 15);
        reached("stalls aborted", l.resumes(StallEventQueue.Resume.ABORT) > 0, 30);
    }

    private static void reached(String what, boolean yes, double minPercent) {
        Statistics.label(what).collect(yes);
        Statistics.label(what).coverage(cov -> cov.check(true).percentage(pc -> pc >= minPercent));
    }

    @Property(tries = 60)
    void detachReplaceAndResetsBetweenRunsStillResumeEveryStallOnce(@ForAll("mixes") UniformTopology u, @ForAll long seed) {
        DirectFabric f = DirectFabric.builder(u.build()).seed(seed).requestsPerGroup(1, Math.min(2, u.allocation())).issueBurst(16).build();
        Topology t = f.topology();
        Random random = new Random(seed);
        long groups = 0;
        for (int round = 0; round < 4; round++) {
            f.run(300);
            groups += 300;
            for (int k = 0; k < 3; k++) {
                int d = random.nextInt(t.deviceCount());
                int rid = t.devicePfRid(d), pasid = t.pasidOf(d, random.nextInt(t.pasidsPerFunction(d)));
                IommuCore core = f.core(t.deviceIommu(d));
                if (core.routing().ioasidAt(rid, pasid) < 0) {
                    if (!core.routing().isDraining(rid, pasid)) core.attach(rid, pasid, random.nextInt(t.ioasidCount()));
                } else if (random.nextBoolean()) {
                    core.detach(rid, pasid, System.nanoTime());
                } else {
                    core.replace(rid, pasid, random.nextInt(t.ioasidCount()), System.nanoTime());
                }
            }
            if (random.nextInt(3) == 0) f.resetDevice(random.nextInt(t.deviceCount()));
        }
        DirectFabric.RunResult r = f.run(300);
        assertEveryStallResumedOnce(f, r, groups + 300);
    }
}
