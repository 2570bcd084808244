package io.faultfabric.engine.check;

import io.faultfabric.engine.Faults;
import io.faultfabric.engine.IommuOutput;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.direct.DirectFabric;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checkers are tested by breaking the fabric on purpose, through {@link DirectFabric.Builder#outputDecorator}
 * and {@link DirectFabric.Builder#allocationOverride}: each broken variant must be reported under exactly the
 * invariant it breaks, and under no other.
 */
class CheckerCatchesBugsTest {
    private static final Topology TOPOLOGY = UniformTopology.small().build();
    private static final int GROUPS = 50_000;

    /** A decorator that lets everything through except what {@code onDispatch} / {@code onRespond} do instead. */
    private static UnaryOperator<IommuOutput> breaking(Consumer<Hook> dispatch, Consumer<Hook> respond) {
        return real -> new IommuOutput() {
            long dispatched, responded;

            @Override public void dispatch(PageRequestGroup g) { dispatch.accept(new Hook(real, g, dispatched++)); }

            @Override public void respond(PageRequestGroup g) { respond.accept(new Hook(real, g, responded++)); }
        };
    }

    /** One call through the seam: the real output, the group, and how many calls of its kind came before it. */
    private record Hook(IommuOutput real, PageRequestGroup group, long index) {
        void dispatch() { real.dispatch(group); }

        void respond() { real.respond(group); }
    }

    private static Violations run(DirectFabric.Builder b) {
        DirectFabric f = b.seed(17).requestsPerGroup(1, 3).build();
        DirectFabric.RunResult r = f.run(GROUPS);
        assertThat(r.groupsIssued()).isEqualTo(GROUPS);
        return r.violations();
    }

    private static void assertOnly(Violations v, Invariant broken) {
        assertThat(v.count(broken)).as(v.toString()).isPositive();
        for (Invariant other : Invariant.values()) {
            if (other != broken) assertThat(v.count(other)).as(other + " in " + v).isZero();
        }
    }

    @Test
    void aCleanRunReportsNothing() {
        Violations v = run(DirectFabric.builder(TOPOLOGY).outputDecorator(breaking(Hook::dispatch, Hook::respond)));
        assertThat(v.total()).as(v.toString()).isZero();
        assertThat(v.counts().values()).containsOnly(0L);
    }

    @Test
    void aRouterThatMisroutesOneGroupInTenThousandToAnotherOwner() {
        int owners = TOPOLOGY.ioasidOwnerCount();
        Violations v = run(DirectFabric.builder(TOPOLOGY).outputDecorator(breaking(h -> {
            if (h.index() % 10_000 == 9_999) Faults.reroute(h.group(), (h.group().handler() + 1) % owners, h.group().ioasid());
            h.dispatch();
        }, Hook::respond)));
        assertOnly(v, Invariant.ROUTED_TO_ATTACHED_OWNER);
        assertThat(v.count(Invariant.ROUTED_TO_ATTACHED_OWNER)).isEqualTo(GROUPS / 10_000);
    }

    @Test
    void aRouterThatReadsAnotherPasidsEntryForOneGroupInTenThousand() {
        // the group carries the wrong IOASID and goes to that IOASID's owner: consistent with itself, wrong for its (RID, PASID)
        Violations v = run(DirectFabric.builder(TOPOLOGY).outputDecorator(breaking(h -> {
            if (h.index() % 10_000 == 9_999) {
                int wrong = (h.group().ioasid() + 1) % TOPOLOGY.ioasidCount();
                Faults.reroute(h.group(), TOPOLOGY.ownerOfIoasid(wrong), wrong);
            }
            h.dispatch();
        }, Hook::respond)));
        assertOnly(v, Invariant.ROUTED_TO_ATTACHED_OWNER);
        assertThat(v.count(Invariant.ROUTED_TO_ATTACHED_OWNER)).isEqualTo(GROUPS / 10_000);
    }

    @Test
    void aPathThatAnswersSomeGroupTwice() {
        Violations v = run(DirectFabric.builder(TOPOLOGY).outputDecorator(breaking(Hook::dispatch, h -> {
            h.respond();
            if (h.index() == 20_000) h.respond();
        })));
        assertOnly(v, Invariant.ONE_RESPONSE_PER_GROUP);
        assertThat(v.examples(Invariant.ONE_RESPONSE_PER_GROUP)).anyMatch(e -> e.startsWith("second response to"));
    }

    @Test
    void aPathThatForgetsAnAnsweredGroupsResponse() {
        Violations v = run(DirectFabric.builder(TOPOLOGY).outputDecorator(breaking(Hook::dispatch, h -> {
            if (h.index() != 20_000) h.respond();
        })));
        assertOnly(v, Invariant.ONE_RESPONSE_PER_GROUP);
        assertThat(v.examples(Invariant.ONE_RESPONSE_PER_GROUP)).anyMatch(e -> e.startsWith("lost:"));
    }

    @Test
    void aPathThatForgetsATimedOutGroupsResponse() {
        // the owner never gets group 20,000; the timeout answers it; that answer is the one lost
        List<PageRequestGroup> held = new ArrayList<>();
        DirectFabric f = DirectFabric.builder(TOPOLOGY).seed(17).requestsPerGroup(1, 3).outputDecorator(breaking(h -> {
            if (h.index() == 20_000) held.add(h.group()); else h.dispatch();
        }, h -> {
            if (!held.contains(h.group())) h.respond();
        })).build();
        f.run(GROUPS);
        assertThat(held).hasSize(1);
        assertThat(f.core(0).outstandingCount()).isEqualTo(1);
        assertThat(f.core(0).expire(System.nanoTime(), 0)).isEqualTo(1);
        assertThat(held.get(0).autoReason()).isEqualTo(io.faultfabric.engine.AutoReason.TIMEOUT);
        assertOnly(f.check(), Invariant.ONE_RESPONSE_PER_GROUP);
        assertThat(f.check().examples(Invariant.ONE_RESPONSE_PER_GROUP)).anyMatch(e -> e.startsWith("lost:"));
    }

    @Test
    void aDeviceThatOverrunsItsCredits() {
        Violations v = run(DirectFabric.builder(TOPOLOGY).allocationOverride(TOPOLOGY.deviceAllocation(0) * 2));
        assertOnly(v, Invariant.CREDITS_WITHIN_ALLOCATION);
    }

    @Test
    void aRouterThatDispatchesAGroupBeforeItsLastRequest() {
        // on every multi-request group, a copy holding only the first request goes out ahead of the whole group
        Violations v = run(DirectFabric.builder(TOPOLOGY).outputDecorator(breaking(h -> {
            if (h.group().requestCount() > 1) h.real().dispatch(Faults.prematureCopy(h.group()));
            h.dispatch();
        }, Hook::respond)));
        assertOnly(v, Invariant.DISPATCH_AFTER_LAST);
    }
}
