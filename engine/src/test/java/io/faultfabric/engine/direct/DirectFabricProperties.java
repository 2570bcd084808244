package io.faultfabric.engine.direct;

import io.faultfabric.engine.IommuCore;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.check.Violations;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import io.faultfabric.engine.workload.PasidChoice;
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

/** The whole single-threaded path over random topologies, workloads, owner behaviour and seeds, with the checkers on. */
class DirectFabricProperties {

    record Shape(int iommus, IommuKind kind, int depth, int devices, int vfs, int pasidsPerFunction, int allocation, RoutingMode mode) {}

    @Provide
    Arbitrary<UniformTopology> topologies() {
        Arbitrary<Shape> shape = Combinators.combine(Arbitraries.integers().between(1, 2), Arbitraries.of(IommuKind.class),
            Arbitraries.oneOf(Arbitraries.integers().between(1, 8), Arbitraries.integers().between(9, 256)),
            Arbitraries.integers().between(1, 3), Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 4),
            Arbitraries.integers().between(1, 32), Arbitraries.of(RoutingMode.class)).as(Shape::new);
        return Combinators.combine(shape, Arbitraries.of(UniformTopology.Assignment.class), Arbitraries.of(true, false), Arbitraries.of(true, false))
            .as((s, assignment, onePerOwner, mixedKinds) -> {
                int functions = s.iommus() * s.devices() * (s.vfs() + 1);
                int pasids = functions * s.pasidsPerFunction();
                return new UniformTopology(s.iommus(), s.kind(), s.depth(), s.devices(), s.vfs(), pasids, s.allocation(),
                    onePerOwner ? 1 : s.pasidsPerFunction(), assignment,
                    mixedKinds ? List.of(OwnerKind.HOST_SVA, OwnerKind.USER_DRIVER, OwnerKind.VDPA) : List.of(OwnerKind.HOST_SVA), 0, 1, s.mode());
            });
    }

    @Provide
    Arbitrary<FaultPolicy> policies() {
        return Combinators.combine(Arbitraries.of(0.0, 0.0, 0.1, 0.5), Arbitraries.of(0.0, 0.0, 0.001, 0.02))
            .as((invalid, failure) -> new FaultPolicy(ServiceTime.ZERO, invalid, failure, 64));
    }

    @Provide
    Arbitrary<PasidChoice> choices() {
        return Arbitraries.oneOf(Arbitraries.just(PasidChoice.UNIFORM), Arbitraries.doubles().between(0.5, 3.0).map(PasidChoice::zipf));
    }

    private static DirectFabric fabric(UniformTopology u, long seed, int maxRequests, int burst, FaultPolicy p, PasidChoice c) {
        return DirectFabric.builder(u.build()).seed(seed).requestsPerGroup(1, Math.min(maxRequests, u.allocation()))
            .issueBurst(burst).policies(o -> p).choice(c).build();
    }

    private static void assertAllAnswered(DirectFabric f, DirectFabric.RunResult r, long groups) {
        Violations v = r.violations();
        assertThat(v.none()).as(v.toString()).isTrue();
        OutcomeLedger l = r.ledger();
        assertThat(r.groupsIssued()).isEqualTo(groups);
        assertThat(l.groupsCompleted()).isEqualTo(groups);
        assertThat(l.groupsAnsweredByHandler() + l.groupsAutoAnswered()).isEqualTo(l.groupsIssued);
        assertThat(l.requestsInAnsweredGroups + l.requestsDropped()).isEqualTo(l.requestsIssued + l.dropped[io.faultfabric.engine.DropReason.PRI_DISABLED.ordinal()]);
        assertThat(l.responsesRejected()).isZero();
        assertThat(f.outstanding()).isZero();
        Topology t = f.topology();
        for (int d = 0; d < t.deviceCount(); d++) {
            assertThat(f.device(d).creditsInUse()).isZero();
            assertThat(f.deviceChecker(d).inFlight()).isZero();
        }
        for (int i = 0; i < t.iommuCount(); i++) {
            assertThat(f.core(i).outstandingCount()).isZero();
            assertThat(f.core(i).queueDepth()).isZero();
            assertThat(f.core(i).ledger().queueHighWater).isLessThanOrEqualTo(t.iommuQueueDepth(i));
        }
    }

    @Property(tries = 150)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF) // coverage is still checked; a passing run stays quiet
    void everyGroupIsAnsweredOnceAndTheCountsAddUp(@ForAll("topologies") UniformTopology u, @ForAll long seed,
                                                   @ForAll @IntRange(min = 1, max = 4) int maxRequests, @ForAll @IntRange(min = 1, max = 64) int burst,
                                                   @ForAll("policies") FaultPolicy p, @ForAll("choices") PasidChoice c) {
        DirectFabric f = fabric(u, seed, maxRequests, burst, p, c);
        DirectFabric.RunResult r = f.run(1_500);
        assertAllAnswered(f, r, 1_500);
        reached("queue overflowed", r.ledger().overflowEvents > 0, 15);
        reached("Response Failure, then reset", r.ledger().priDisabledEvents > 0, 10);
        reached("multi-request groups", r.ledger().requestsIssued > r.ledger().groupsIssued, 40);
    }

    private static void reached(String what, boolean yes, double minPercent) {
        Statistics.label(what).collect(yes);
        Statistics.label(what).coverage(cov -> cov.check(true).percentage(pc -> pc >= minPercent));
    }

    @Property(tries = 60)
    void routingChangesAndResetsBetweenRunsKeepEveryInvariant(@ForAll("topologies") UniformTopology u, @ForAll long seed,
                                                     @ForAll @IntRange(min = 1, max = 3) int maxRequests, @ForAll("choices") PasidChoice c) {
        DirectFabric f = fabric(u, seed, maxRequests, 8, FaultPolicy.DEFAULT, c);
        Topology t = f.topology();
        Random random = new Random(seed);
        long groups = 0;
        for (int round = 0; round < 4; round++) {
            f.run(400);
            groups += 400;
            // detach, reattach or replace a few (RID, PASID)s between runs
            for (int k = 0; k < 3; k++) {
                int d = random.nextInt(t.deviceCount());
                int fn = random.nextInt(t.deviceFunctionCount(d));
                int i = random.nextInt(t.pasidsPerFunction(d));
                int rid = t.deviceRids(d)[fn], pasid = t.pasidOf(d, i);
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
        assertAllAnswered(f, f.run(400), groups + 400);
    }
}
