package io.faultfabric.loadgen.report;

import static io.faultfabric.loadgen.report.Require.nonNegative;
import static io.faultfabric.loadgen.report.Require.nonNull;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Everything the report of one load-generation run shows. Immutable: collections and histograms are copied on the way
 * in and histograms again on the way out, because {@link Histogram} itself is mutable.
 *
 * @param engine which engine ran: {@code fabric} (the actor fabric) or {@code direct} (the single-threaded DirectFabric)
 * @param latency whole-run group latency in microseconds
 * @param outcomes completion outcome name to count, in the caller's order
 * @param violations invariant name to violation count; zero counts are kept so the report lists what was checked
 * @param intervalHistograms per-interval latency in microseconds, each with start and end timestamps (epoch ms) set
 */
public record RunReport(
        String scenario,
        long seed,
        String engine,
        double durationSeconds,
        int pasids,
        String routingMode,
        long issuedGroups,
        long completedGroups,
        long lostGroups,
        double throughputPerSec,
        Histogram latency,
        Map<String, Long> outcomes,
        Map<String, Long> violations,
        Map<String, List<String>> counterexamples,
        List<FaultWindow> faultsInjected,
        List<AssertionResult> assertions,
        long heapPeakBytes,
        Environment environment,
        List<TimelinePoint> timeline,
        List<Histogram> intervalHistograms) {

    public RunReport {
        nonNull(scenario, "scenario");
        nonNull(engine, "engine");
        nonNegative(durationSeconds, "durationSeconds");
        nonNegative(pasids, "pasids");
        nonNull(routingMode, "routingMode");
        nonNegative(issuedGroups, "issuedGroups");
        nonNegative(completedGroups, "completedGroups");
        nonNegative(lostGroups, "lostGroups");
        nonNegative(throughputPerSec, "throughputPerSec");
        latency = nonNull(latency, "latency").copy();
        outcomes = Require.counts(outcomes, "outcomes");
        violations = Require.counts(violations, "violations");
        counterexamples = Require.lists(counterexamples, "counterexamples");
        faultsInjected = Require.list(faultsInjected, "faultsInjected");
        assertions = Require.list(assertions, "assertions");
        nonNegative(heapPeakBytes, "heapPeakBytes");
        nonNull(environment, "environment");
        timeline = Require.list(timeline, "timeline");
        intervalHistograms = Require.list(intervalHistograms, "intervalHistograms").stream().map(Histogram::copy).toList();
        for (int i = 0; i < intervalHistograms.size(); i++) {
            Histogram interval = intervalHistograms.get(i);
            // an unset start timestamp is Long.MAX_VALUE and an unset end is 0, so this also catches missing ones
            if (interval.getEndTimeStamp() < interval.getStartTimeStamp()) {
                throw new IllegalArgumentException("intervalHistograms[" + i + "] needs start and end timestamps, end >= start");
            }
        }
    }

    @Override
    public Histogram latency() {
        return latency.copy();
    }

    @Override
    public List<Histogram> intervalHistograms() {
        return intervalHistograms.stream().map(Histogram::copy).toList();
    }

    public LatencySummary latencyMicros() {
        return LatencySummary.of(latency);
    }

    public boolean invariantsHeld() {
        return violations.values().stream().allMatch(count -> count == 0);
    }

    /** Latency percentiles in microseconds, as read from the run's histogram. */
    public record LatencySummary(long p50, long p90, long p99, long p999, long max, double mean, long count) {
        public static LatencySummary of(Histogram micros) {
            return new LatencySummary(
                    micros.getValueAtPercentile(50.0),
                    micros.getValueAtPercentile(90.0),
                    micros.getValueAtPercentile(99.0),
                    micros.getValueAtPercentile(99.9),
                    micros.getMaxValue(),
                    micros.getMean(),
                    micros.getTotalCount());
        }
    }

    /** A fault the run injected, active from {@code startSeconds} to {@code endSeconds} of run time. */
    public record FaultWindow(String name, double startSeconds, double endSeconds, String detail) {
        public FaultWindow {
            nonNull(name, "name");
            nonNegative(startSeconds, "startSeconds");
            if (nonNegative(endSeconds, "endSeconds") < startSeconds) {
                throw new IllegalArgumentException("endSeconds must be >= startSeconds, was " + endSeconds);
            }
            nonNull(detail, "detail");
        }
    }

    /** A scenario assertion, its verdict and the value it saw. */
    public record AssertionResult(String expression, boolean passed, String actual) {
        public AssertionResult {
            nonNull(expression, "expression");
            nonNull(actual, "actual");
        }
    }

    /** The machine and JVM the run executed on. */
    public record Environment(int cpus, String jvm, long maxHeapBytes, String os) {
        public Environment {
            nonNegative(cpus, "cpus");
            nonNull(jvm, "jvm");
            nonNegative(maxHeapBytes, "maxHeapBytes");
            nonNull(os, "os");
        }

        public static Environment current() {
            Runtime runtime = Runtime.getRuntime();
            return new Environment(
                    runtime.availableProcessors(),
                    System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                    runtime.maxMemory(),
                    System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        }
    }

    /** One sample of the run's progress, {@code tSeconds} into the run. */
    public record TimelinePoint(double tSeconds, double completedPerSec, long inFlight, long p99Micros) {
        public TimelinePoint {
            nonNegative(tSeconds, "tSeconds");
            nonNegative(completedPerSec, "completedPerSec");
            nonNegative(inFlight, "inFlight");
            nonNegative(p99Micros, "p99Micros");
        }
    }
}
