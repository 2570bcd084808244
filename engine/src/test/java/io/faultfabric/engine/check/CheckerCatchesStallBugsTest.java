package io.faultfabric.engine.check;

import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.IommuOutput;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.direct.DirectFabric;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stall model's checks, proven by breaking a fabric that mixes PRI devices and stalling devices on purpose: each broken
 * variant is reported under exactly the invariant it breaks, and under no other.
 */
class CheckerCatchesStallBugsTest {
    /** One SMMUv3 unit, four devices: two that stall at most 16 transactions each, two PRI (128 credits); an event queue of 8. */
    private static final Topology MIXED = new UniformTopology(1, IommuKind.SMMUV3, 256, 4, 0, 64, 128, 1, UniformTopology.Assignment.CONTIGUOUS,
        List.of(OwnerKind.HOST_SVA), 0, 1, RoutingMode.OWNER, 2, 16, 8).build();
    private static final int GROUPS = 40_000;

    /** Delivers every response, and once more each stall's whose delivery number {@code twice} selects. */
    private static UnaryOperator<IommuOutput> resumingTwice(Predicate<Long> twice) {
        return real -> new IommuOutput() {
            long stallResponses;

            @Override public void dispatch(PageRequestGroup g) { real.dispatch(g); }

            @Override public void respond(PageRequestGroup g) {
                real.respond(g);
                if (g.isStall() && twice.test(stallResponses++)) real.respond(g);
            }
        };
    }

    private static Violations run(DirectFabric.Builder b) {
        DirectFabric.RunResult r = b.seed(5).requestsPerGroup(1, 3).build().run(GROUPS);
        assertThat(r.groupsIssued()).isEqualTo(GROUPS);
        assertThat(r.ledger().stallsIssued).as("the run has stalls").isGreaterThan(GROUPS / 10);
        return r.violations();
    }

    private static void assertOnly(Violations v, Invariant broken) {
        assertThat(v.count(broken)).as(v.toString()).isPositive();
        for (Invariant other : Invariant.values()) if (other != broken) assertThat(v.count(other)).as(other + " in " + v).isZero();
    }

    @Test
    void aCleanMixedRunReportsNothing() {
        Violations v = run(DirectFabric.builder(MIXED).outputDecorator(resumingTwice(i -> false)));
        assertThat(v.total()).as(v.toString()).isZero();
    }

    @Test
    void aPathThatResumesOneStallInFiveThousandTwiceBreaksExactlyOneResumePerStall() {
        DirectFabric f = DirectFabric.builder(MIXED).seed(5).requestsPerGroup(1, 3)
            .outputDecorator(resumingTwice(i -> i % 5_000 == 4_999)).build();
        DirectFabric.RunResult r = f.run(GROUPS);
        Violations v = r.violations();
        assertOnly(v, Invariant.STOP_MARKERS_UNANSWERED);
        assertThat(v.count(Invariant.STOP_MARKERS_UNANSWERED)).isEqualTo(r.ledger().stallsIssued / 5_000);
        assertThat(v.examples(Invariant.STOP_MARKERS_UNANSWERED)).allMatch(e -> e.startsWith("second resume of a stalled transaction"));
        // the device ignored each second resume: it gave back no slot for it
        assertThat(r.ledger().unexpectedResumes).isEqualTo(v.count(Invariant.STOP_MARKERS_UNANSWERED));
    }

    @Test
    void aPathThatLosesOneResumeLeavesAStallNeverResumed() {
        Violations v = run(DirectFabric.builder(MIXED).outputDecorator(real -> new IommuOutput() {
            long stalls;

            @Override public void dispatch(PageRequestGroup g) { real.dispatch(g); }

            @Override public void respond(PageRequestGroup g) {
                if (!g.isStall() || stalls++ != 7_000) real.respond(g);
            }
        }));
        assertOnly(v, Invariant.ONE_RESPONSE_PER_GROUP);
        assertThat(v.examples(Invariant.ONE_RESPONSE_PER_GROUP)).anyMatch(e -> e.contains("stalled and never resumed"))
            .anyMatch(e -> e.startsWith("resumes sent by SMMUs"));
    }

    @Test
    void aStallingDeviceThatStallsMoreTransactionsThanItsLimit() {
        // 64 is within the PRI devices' 128 credits, four times the stalling devices' limit
        Violations v = run(DirectFabric.builder(MIXED).allocationOverride(64));
        assertOnly(v, Invariant.CREDITS_WITHIN_ALLOCATION);
        assertThat(v.examples(Invariant.CREDITS_WITHIN_ALLOCATION)).anyMatch(e -> e.startsWith("stalling device"));
    }
}
