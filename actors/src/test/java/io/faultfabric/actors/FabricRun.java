package io.faultfabric.actors;

import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.workload.FaultSequence;
import io.faultfabric.engine.workload.PasidChoice;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

import java.time.Duration;
import java.util.function.IntFunction;

import static io.faultfabric.actors.FabricSettings.OwnerSupervision.RESTART;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One whole fabric spawned by its guardian in a test kit, possibly sabotaged, fed seeded groups of 1..3 requests by
 * every device: what the checker tests drive.
 */
final class FabricRun {
    final ActorTestKit testKit;
    final Topology topology;
    final FabricContext ctx;
    final Fabric.Started started;

    FabricRun(ActorTestKit testKit, Topology topology, long seed, FabricContext.Sabotage sabotage, IntFunction<FaultPolicy> policies) {
        this.testKit = testKit;
        this.topology = topology;
        ctx = new FabricContext(topology, FabricFixture.settings(RESTART), seed, policies);
        ctx.sabotage(sabotage);
        TestProbe<Fabric.Started> probe = testKit.createTestProbe();
        testKit.spawn(Fabric.create(ctx, d -> new FaultSequence(seed, topology, d, PasidChoice.UNIFORM, 1, 3), probe.ref()));
        started = probe.expectMessageClass(Fabric.Started.class, Duration.ofSeconds(30));
    }

    /** Every device issues its share of {@code groups} as fast as its credits allow; returns once all are issued. */
    FabricRun load(int groups) {
        TestProbe<Device.Ack> acks = testKit.createTestProbe();
        int n = topology.deviceCount();
        for (int d = 0; d < n; d++) {
            int share = groups / n + (d < groups % n ? 1 : 0);
            ctx.device(d).tell(new Device.Generate(new long[share], share, Integer.MAX_VALUE, Long.MAX_VALUE, acks.ref()));
        }
        for (int d = 0; d < n; d++) acks.expectMessage(Duration.ofSeconds(60), Device.Ack.INSTANCE);
        return this;
    }

    /** Waits until the devices await at most {@code left} groups, letting {@code step} of manual time pass each look. */
    Fabric.Snapshot settle(long left, Duration step) {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Fabric.Snapshot s = snapshot();
            if (s.groupsOutstanding() <= left) return s;
            assertThat(System.nanoTime()).as("still awaiting %d groups", s.groupsOutstanding()).isLessThan(until);
            if (!step.isZero()) ManualTime.get(testKit.system()).timePasses(step);
        }
    }

    Fabric.Snapshot snapshot() {
        TestProbe<Fabric.Snapshot> p = testKit.createTestProbe();
        started.fabric().tell(new Fabric.SnapshotAll(p.ref()));
        return p.receiveMessage(Duration.ofSeconds(30));
    }

    /** The guardian's shutdown: everything pending answered, lost groups reported, counts checked. */
    Fabric.Snapshot shutdown() {
        TestProbe<Fabric.Snapshot> p = testKit.createTestProbe();
        started.fabric().tell(new Fabric.Shutdown(p.ref()));
        Fabric.Snapshot s = p.receiveMessage(Duration.ofSeconds(30));
        p.expectTerminated(started.fabric(), Duration.ofSeconds(30));
        return s;
    }
}
