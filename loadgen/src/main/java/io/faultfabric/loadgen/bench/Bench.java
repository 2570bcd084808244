package io.faultfabric.loadgen.bench;

import static io.faultfabric.loadgen.run.Blocking.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.faultfabric.actors.Device;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.direct.DirectFabric;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.workload.LoadProfile;
import io.faultfabric.engine.workload.PasidChoice;
import io.faultfabric.streams.FabricSnapshot;
import io.faultfabric.streams.FaultFabric;
import io.faultfabric.streams.LoadRun;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Runs the bench's workloads one after the other in this process: each throughput workload first through
 * {@link DirectFabric} (one thread, no actors), then through the actor fabric ({@link FaultFabric} driven by
 * {@link LoadRun}), each after its own warm-up, with the checkers on in both. The fabric gets a fresh ActorSystem per
 * workload, so that one workload's actors and garbage do not weigh on the next.
 */
public final class Bench {
    /** Heap a PASID needs while it is measured (its owner actor, routing entry, the direct run's table, churn). */
    static final long HEAP_PER_PASID = 2048;
    /** Heap beyond the PASIDs: the actor system, histograms of 256 devices, garbage between collections. */
    static final long HEAP_BASE = 1L << 30;

    /**
     * @param warmup  how long each engine runs before it is measured
     * @param measure how long each engine is measured for
     */
    public record Plan(List<BenchWorkload> workloads, Duration warmup, Duration measure, long seed, boolean quick) {
        public Plan {
            workloads = List.copyOf(workloads);
            Objects.requireNonNull(warmup, "warmup");
            Objects.requireNonNull(measure, "measure");
        }
    }

    private final Plan plan;
    private final Consumer<String> log;

    public Bench(Plan plan, Consumer<String> log) {
        this.plan = plan;
        this.log = log;
    }

    /** The heap the plan's largest topology needs; the caller checks it against the JVM's before anything starts. */
    public static long requiredHeapBytes(List<BenchWorkload> workloads) {
        int most = workloads.stream().mapToInt(BenchWorkload::pasids).max().orElse(0);
        return HEAP_BASE + most * HEAP_PER_PASID;
    }

    public List<BenchResult> run(Consumer<BenchResult> onResult) {
        List<BenchResult> results = new ArrayList<>();
        for (BenchWorkload w : plan.workloads()) {
            log.accept(w.name() + ": " + w.describe());
            BenchResult r;
            if (w instanceof BenchWorkload.Throughput t) r = throughput(t);
            else if (w instanceof BenchWorkload.Latency l) r = latency(l);
            else r = memory((BenchWorkload.Memory) w);
            results.add(r);
            onResult.accept(r);
        }
        return results;
    }

    // ---------------------------------------------------------------- throughput

    private BenchResult.Throughput throughput(BenchWorkload.Throughput w) {
        Topology t = w.topology().build();
        BenchResult.EngineFigures direct = direct(t, w);
        gc();
        try (Fabric f = Fabric.start(t, plan.seed(), w.choice(), w.requestsPerGroup())) {
            // the owners were just spawned, in the young generation: move them to the old one now, outside the measurement,
            // rather than in whichever young collection comes first (seconds, at 2^20 owners)
            gc();
            LoadProfile closed = new LoadProfile.Closed(BenchWorkload.ALLOCATION);
            f.runFor(closed, plan.warmup());
            Measured m = f.measure(closed, plan.measure());
            BenchResult.EngineFigures fabric = m.figures(f.shutdown());
            return new BenchResult.Throughput(w, direct, fabric, f.startSeconds);
        }
    }

    /** The baseline: DirectFabric issues and drains in slices, until the warm-up and then the measurement time is up. */
    private BenchResult.EngineFigures direct(Topology t, BenchWorkload.Throughput w) {
        // a device issues as many groups before the units drain as their queues hold from all devices at once: a bigger burst
        // would overflow the queue and have the hardware answer, which is not the owners' throughput
        int burst = Math.max(1, t.iommuQueueDepth(0) / (BenchWorkload.DEVICES_PER_IOMMU * w.requestsPerGroup()));
        DirectFabric d = DirectFabric.builder(t).seed(plan.seed()).choice(w.choice())
            .requestsPerGroup(w.requestsPerGroup(), w.requestsPerGroup()).issueBurst(burst).build();
        long slice = 20_000;
        long until = System.nanoTime() + plan.warmup().toNanos();
        while (System.nanoTime() < until) d.run(slice);
        OutcomeLedger before = d.ledger();
        long start = System.nanoTime();
        until = start + plan.measure().toNanos();
        DirectFabric.RunResult last;
        do {
            last = d.run(slice);
        } while (System.nanoTime() < until);
        double seconds = (System.nanoTime() - start) / 1e9;
        OutcomeLedger after = last.ledger();
        // run() drains before it returns: nothing is outstanding, and check() has looked at every group sent
        return new BenchResult.EngineFigures(after.groupsCompleted() - before.groupsCompleted(),
            after.requestsInAnsweredGroups - before.requestsInAnsweredGroups, seconds, last.violations().total(), d.outstanding(),
            after.groupsAutoAnswered() - before.groupsAutoAnswered(), BenchResult.EngineFigures.autoReasons(before, after));
    }

    // ---------------------------------------------------------------- latency

    private BenchResult.Latency latency(BenchWorkload.Latency w) {
        Topology t = w.topology().build();
        try (Fabric f = Fabric.start(t, plan.seed(), PasidChoice.UNIFORM, 1)) {
            gc(); // as for throughput: the new owners leave the young generation before anything is measured
            LoadProfile closed = new LoadProfile.Closed(BenchWorkload.ALLOCATION);
            f.runFor(closed, plan.warmup());
            Measured max = f.measure(closed, plan.measure());
            double maxRate = max.groupsPerSec();
            LoadProfile.Constant open = new LoadProfile.Constant(Math.max(1, maxRate * w.loadFraction()));
            f.runFor(open, plan.warmup());
            Measured m = f.measure(open, plan.measure().multipliedBy(2));
            FabricSnapshot end = f.shutdown();
            BenchResult.EngineFigures closedFigures = max.figures(end);
            Histogram engine = m.after.engineLatencyMicros().copy();
            engine.subtract(m.before.engineLatencyMicros());
            Histogram intended = m.after.latencyMicros().copy();
            intended.subtract(m.before.latencyMicros());
            long violations = end.violations().total() + closedFigures.lostGroups();
            return new BenchResult.Latency(w, closedFigures, maxRate, open.perSecond(), m.groupsPerSec(), m.figures(end), engine, intended,
                violations);
        }
    }

    private static Histogram engineLatency(FabricSnapshot s) {
        Histogram h = new Histogram(2);
        h.setAutoResize(true);
        for (Device.Snapshot d : s.devices()) h.add(d.engineLatencyMicros());
        return h;
    }

    // ---------------------------------------------------------------- memory

    private BenchResult.Memory memory(BenchWorkload.Memory w) {
        Topology t = w.topology().build();
        ActorSystem<Void> system = newSystem();
        try {
            long before = usedHeapAfterGc();
            long t0 = System.nanoTime();
            FaultFabric fabric = await(FaultFabric.builder(system, t).seed(plan.seed()).start(), Duration.ofMinutes(5));
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            long after = usedHeapAfterGc();
            FabricSnapshot end = await(fabric.shutdown(), Duration.ofMinutes(5));
            double perPasid = (double) (after - before) / t.pasidCount();
            return new BenchResult.Memory(w, before, after, perPasid, startSeconds, end.violations().total());
        } finally {
            terminate(system);
        }
    }

    // ---------------------------------------------------------------- the fabric, embedded

    /**
     * What the bench keeps of a snapshot: the counters and the merged histograms, not the devices' own copies (two
     * histograms per device, ~22 MB a snapshot at 256 devices). Three snapshots held through a measurement were most of
     * what every young collection copied, and lengthened the pauses that the latency workload measures.
     */
    record Mark(OutcomeLedger ledger, long outstandingGroups, Histogram latencyMicros, Histogram engineLatencyMicros) {
        static Mark of(FabricSnapshot s) {
            return new Mark(s.ledger(), s.outstandingGroups(), s.latencyMicros(), engineLatency(s));
        }

        long completedGroups() { return ledger.groupsCompleted(); }
    }

    /** Counters before and after one measured interval of a load. */
    private record Measured(Mark before, Mark after, double seconds) {
        double groupsPerSec() {
            return seconds <= 0 ? 0 : (after.completedGroups() - before.completedGroups()) / seconds;
        }

        BenchResult.EngineFigures figures(FabricSnapshot end) {
            long groups = after.completedGroups() - before.completedGroups();
            long requests = after.ledger().requestsInAnsweredGroups - before.ledger().requestsInAnsweredGroups;
            return new BenchResult.EngineFigures(groups, requests, seconds, end.violations().total(), after.outstandingGroups(),
                after.ledger().groupsAutoAnswered() - before.ledger().groupsAutoAnswered(),
                BenchResult.EngineFigures.autoReasons(before.ledger(), after.ledger()));
        }
    }

    /** A fabric in its own ActorSystem, configured as an embedding application would: the defaults. */
    private static final class Fabric implements AutoCloseable {
        private final ActorSystem<Void> system;
        private final FaultFabric fabric;
        private final long seed;
        final double startSeconds;
        private boolean shutDown;

        private Fabric(ActorSystem<Void> system, FaultFabric fabric, long seed, double startSeconds) {
            this.system = system;
            this.fabric = fabric;
            this.seed = seed;
            this.startSeconds = startSeconds;
        }

        static Fabric start(Topology t, long seed, PasidChoice choice, int requestsPerGroup) {
            ActorSystem<Void> system = newSystem();
            try {
                long t0 = System.nanoTime();
                FaultFabric fabric = await(FaultFabric.builder(system, t).seed(seed).choice(choice)
                    .requestsPerGroup(requestsPerGroup, requestsPerGroup).start(), Duration.ofMinutes(5));
                return new Fabric(system, fabric, seed, (System.nanoTime() - t0) / 1e9);
            } catch (RuntimeException e) {
                terminate(system);
                throw e;
            }
        }

        /** Runs a load for {@code d}, then waits until every group it issued is answered; returns that quiet snapshot. */
        FabricSnapshot runFor(LoadProfile profile, Duration d) {
            LoadRun run = LoadRun.start(fabric, system, profile, seed, Long.MAX_VALUE, d);
            await(run.completion(), d.plusMinutes(2));
            return await(LoadRun.awaitQuiet(fabric, system, Duration.ofMinutes(1)), Duration.ofMinutes(2));
        }

        Measured measure(LoadProfile profile, Duration d) {
            Mark before = Mark.of(await(fabric.snapshot(), Duration.ofMinutes(1)));
            long t0 = System.nanoTime();
            Mark after = Mark.of(runFor(profile, d));
            return new Measured(before, after, (System.nanoTime() - t0) / 1e9);
        }

        FabricSnapshot shutdown() {
            shutDown = true;
            return await(fabric.shutdown(), Duration.ofMinutes(5));
        }

        @Override
        public void close() {
            try {
                if (!shutDown) await(fabric.shutdown(), Duration.ofMinutes(5));
            } finally {
                terminate(system);
            }
        }
    }

    private static ActorSystem<Void> newSystem() {
        Config config = ConfigFactory.load();
        return ActorSystem.create(Behaviors.empty(), "faultfabric-bench", config);
    }

    private static void terminate(ActorSystem<?> system) {
        system.terminate();
        await(system.getWhenTerminated(), Duration.ofMinutes(5));
    }

    private static void gc() {
        for (int i = 0; i < 2; i++) System.gc();
    }

    /** Heap in use once the collector has had several full collections to settle (finalizers, soft references). */
    static long usedHeapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(50); // a measurement, not a test: let reference processing finish between full collections
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
