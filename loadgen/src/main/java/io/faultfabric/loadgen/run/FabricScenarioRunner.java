package io.faultfabric.loadgen.run;

import static io.faultfabric.loadgen.run.Blocking.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.faultfabric.actors.FabricSettings;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.check.Violations;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.loadgen.fault.FaultInjector;
import io.faultfabric.loadgen.report.Progress;
import io.faultfabric.loadgen.report.RunReport.Environment;
import io.faultfabric.loadgen.report.RunReport.FaultWindow;
import io.faultfabric.loadgen.report.RunReport.TimelinePoint;
import io.faultfabric.loadgen.scenario.Scenario;
import io.faultfabric.streams.FabricSnapshot;
import io.faultfabric.streams.FaultFabric;
import io.faultfabric.streams.LoadRun;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a scenario on the actor fabric, embedded: its own ActorSystem configured from the scenario's
 * {@code fabric} section over the defaults, the fabric started through the embedding API, one ticket
 * stream per device from the load profile, a snapshot each progress interval, and a final shutdown
 * that answers anything still pending and checks the end-of-run invariants.
 *
 * <p>Latency is each group's time from its intended issue time to its response reaching the device:
 * in an open model a device that falls behind its schedule shows as latency (coordinated omission corrected).
 *
 * <p>The scenario's faults are injected on their schedules while the load runs ({@link FaultInjector}); when the load
 * ends, whatever fault is still active is healed before the fabric drains, and every group must still end with exactly
 * one outcome. A device's driver resets it {@link #DRIVER_RECOVERY} after a Response Failure, as DirectFabric's does.
 */
public final class FabricScenarioRunner implements ScenarioRunner {
    public static final String NAME = "fabric";
    /** How long a device's driver takes to reset the function after a Response Failure turned its PRI off. */
    public static final Duration DRIVER_RECOVERY = Duration.ofMillis(10);

    @Override
    public String name() { return NAME; }

    @Override
    public String description() { return "the actor fabric (Pekko actors and streams), embedded in this process"; }

    @Override
    public RunOutcome run(Scenario scenario, RunOptions options, ProgressListener progress) {
        Config config = scenario.fabricConfig().withFallback(ConfigFactory.load());
        if (options.join() != null) {
            try (LocalCluster cluster = LocalCluster.join(options.join().host(), options.join().seedNodes(), config, Duration.ofSeconds(60))) {
                return new FabricRun(scenario, options, progress, cluster.devicesNode(), FabricSettings.fromConfig(config)).execute();
            }
        }
        if (options.nodes() > 1) {
            try (LocalCluster cluster = LocalCluster.start(options.nodes(), config, Duration.ofSeconds(60))) {
                return new FabricRun(scenario, options, progress, cluster.devicesNode(), FabricSettings.fromConfig(config)).execute();
            }
        }
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "faultfabric", config);
        try {
            return new FabricRun(scenario, options, progress, system, FabricSettings.fromConfig(config)).execute();
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }

    private static final class FabricRun {
        private final Logger log = LoggerFactory.getLogger(FabricScenarioRunner.class);
        private final Scenario scenario;
        private final RunOptions options;
        private final ProgressListener progress;
        private final ActorSystem<Void> system;
        private final FabricSettings settings;
        private final Topology topology;
        private final List<Histogram> intervals = new ArrayList<>();
        private final List<TimelinePoint> timeline = new ArrayList<>();
        private Histogram lastCumulative = new Histogram(3_600_000_000L, 3);
        private long lastCompleted;
        private long startNanos;
        private long startEpochMillis;
        private long lastNanos;

        FabricRun(Scenario scenario, RunOptions options, ProgressListener progress, ActorSystem<Void> system, FabricSettings settings) {
            this.scenario = scenario;
            this.options = options;
            this.progress = progress;
            this.system = system;
            this.settings = settings;
            this.topology = scenario.topology().build();
        }

        RunOutcome execute() {
            log.info("scenario {} on the fabric: {}, load {}, stop {}", scenario.name(), topology, scenario.load(), scenario.stop());
            if (!options.warmup().isZero() && !options.clustered()) warmUp(); // a second fabric on one cluster would share its shards
            HeapPeak heap = HeapPeak.start();
            long t0 = System.nanoTime();
            FaultFabric fabric = startFabric();
            log.info("fabric of {} owner actors started in {} ms", topology.ownerCount(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

            fabric.context().driverRecovery(DRIVER_RECOVERY);
            startEpochMillis = System.currentTimeMillis();
            startNanos = System.nanoTime();
            lastNanos = startNanos;
            LoadRun load = LoadRun.start(fabric, system, scenario.load(), scenario.seed(),
                scenario.stop().groups().orElse(Long.MAX_VALUE), scenario.stop().duration().orElse(null));
            FaultInjector injector = scenario.faults().isEmpty() ? null
                : FaultInjector.start(scenario.faults(), scenario.seed(), fabric, system, scenario.ownerPolicies(topology), load.startNanos());
            CompletableFuture<?> loadDone = load.completion().toCompletableFuture();
            long interval = options.progressInterval().toNanos();
            while (!loadDone.isDone()) {
                long next = lastNanos + interval;
                try {
                    loadDone.get(Math.max(1, next - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    sample(fabric, true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    load.stop();
                    break;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the load of scenario " + scenario.name() + " failed: " + e.getCause(), e.getCause());
                }
            }
            // every fault still active is healed before the drain: from here on the fabric must answer everything
            List<FaultWindow> faults = injector == null ? List.of() : injector.stop();
            Duration quiet = settings.responseTimeout().multipliedBy(4).plusSeconds(10);
            FabricSnapshot drained = await(LoadRun.awaitQuiet(fabric, system, quiet).toCompletableFuture(), quiet.plusSeconds(30));
            long endNanos = System.nanoTime();
            sample(fabric, false);
            FabricSnapshot last = await(fabric.shutdown().toCompletableFuture(), quiet.plusSeconds(30));
            if (fabric.clusterCounters() != null) log.info("across nodes: {}", fabric.clusterCounters());
            // groups the fabric still owed when the run had settled: shutdown answered them, but as far as the run goes they were lost
            long lost = drained.outstandingGroups();
            return outcome(last, lost, endNanos - startNanos, heap.bytes(), faults);
        }

        private FaultFabric startFabric() {
            FaultFabric.Builder builder = FaultFabric.builder(system, topology);
            if (options.clustered()) builder.ownersOnCluster();
            return await(builder
                .settings(settings)
                .seed(scenario.seed())
                .policies(scenario.ownerPolicies(topology))
                .choice(scenario.pasidChoice())
                .requestsPerGroup(scenario.requestsPerGroup().min(), scenario.requestsPerGroup().max())
                .start().toCompletableFuture(), Duration.ofMinutes(5));
        }

        /** The scenario's load on a throwaway fabric, so the measured one runs on a warm JVM; nothing of it is counted. */
        private void warmUp() {
            log.info("warming up for {} on a throwaway fabric", options.warmup());
            FaultFabric fabric = startFabric();
            LoadRun load = LoadRun.start(fabric, system, scenario.load(), scenario.seed() ^ 0x5EEDL, Long.MAX_VALUE, options.warmup());
            await(load.completion().toCompletableFuture(), options.warmup().plusMinutes(5));
            Duration quiet = settings.responseTimeout().multipliedBy(4).plusSeconds(10);
            await(LoadRun.awaitQuiet(fabric, system, quiet).toCompletableFuture(), quiet.plusSeconds(30));
            FabricSnapshot s = await(fabric.shutdown().toCompletableFuture(), quiet.plusSeconds(30));
            log.info("warm-up done: {} groups, {}", s.completedGroups(), s.violations().none() ? "no violations" : s.violations());
        }

        private void sample(FaultFabric fabric, boolean report) {
            FabricSnapshot s = await(fabric.snapshot().toCompletableFuture(), Duration.ofSeconds(60));
            long now = System.nanoTime();
            Histogram cumulative = s.latencyMicros();
            Histogram interval = cumulative.copy();
            interval.subtract(lastCumulative);
            interval.setStartTimeStamp(epochMillis(lastNanos));
            interval.setEndTimeStamp(epochMillis(now));
            double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
            long completed = s.completedGroups();
            double rate = (completed - lastCompleted) / seconds;
            long p99 = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99);
            double elapsed = (now - startNanos) / 1e9;
            intervals.add(interval);
            timeline.add(new TimelinePoint(elapsed, rate, s.outstandingGroups(), p99));
            if (report) progress.onProgress(new Progress(elapsed, rate, completed, s.outstandingGroups(), p99, errors(s.ledger())));
            lastCumulative = cumulative;
            lastCompleted = completed;
            lastNanos = now;
        }

        private long epochMillis(long nanos) {
            return startEpochMillis + TimeUnit.NANOSECONDS.toMillis(nanos - startNanos);
        }

        private RunOutcome outcome(FabricSnapshot s, long lost, long elapsedNanos, long heapPeakBytes, List<FaultWindow> faults) {
            OutcomeLedger ledger = s.ledger();
            Violations violations = s.violations();
            Map<String, Long> counts = RunOutcome.violationCounts(violations);
            Map<String, List<String>> counterexamples = RunOutcome.counterexamples(violations);
            double seconds = elapsedNanos / 1e9;
            long completed = ledger.groupsCompleted() - ledger.auto(io.faultfabric.engine.AutoReason.SHUTDOWN);
            log.info("scenario {} done: {} groups issued, {} completed in {} s, {}", scenario.name(), ledger.groupsIssued, completed,
                seconds, violations.none() ? "no violations" : violations);
            return new RunOutcome(scenario.name(), scenario.seed(), NAME, seconds, topology.pasidCount(), topology.mode(),
                ledger.groupsIssued, completed, lost, seconds == 0 ? 0 : completed / seconds, s.latencyMicros(),
                ledger.outcomes(), counts, counterexamples, faults, List.of(), heapPeakBytes, Environment.current(),
                timeline, intervals);
        }

        private static long errors(OutcomeLedger ledger) {
            return ledger.completedWith(ResponseCode.INVALID) + ledger.completedWith(ResponseCode.RESPONSE_FAILURE) + ledger.responsesRejected();
        }

    }
}
