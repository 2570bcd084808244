package io.faultfabric.loadgen.run;

import io.faultfabric.engine.RoutingMode;
import io.faultfabric.loadgen.report.RunReport;
import io.faultfabric.loadgen.report.RunReport.AssertionResult;
import io.faultfabric.loadgen.report.RunReport.Environment;
import io.faultfabric.loadgen.report.RunReport.FaultWindow;
import io.faultfabric.loadgen.report.RunReport.LatencySummary;
import io.faultfabric.loadgen.report.RunReport.TimelinePoint;
import io.faultfabric.loadgen.scenario.Assertion;
import io.faultfabric.loadgen.scenario.Metrics;
import io.faultfabric.loadgen.scenario.Scenario;
import org.HdrHistogram.Histogram;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What one run produced: the fields of its {@link RunReport} one for one (see {@link #toReport()}), with the routing mode
 * as an enum. Histograms are copied in and out, since they are mutable.
 *
 * @param latencyMicros      whole-run group latency in microseconds
 * @param outcomes           outcome name (as {@code OutcomeLedger.outcomes()} names them) to count; zeros left out
 * @param violations         every invariant's name to its count of violations, zeros included
 * @param counterexamples    invariant name to the first counterexamples found, for the violated ones
 * @param assertions         the scenario's assertions judged on this outcome; empty until {@link #withAssertionsOf}
 * @param heapPeakBytes      the most heap in use during the run (see {@link HeapPeak})
 * @param timeline           one point per progress interval
 * @param intervalHistograms per-interval latency in microseconds, with start and end timestamps (epoch ms) set
 */
public record RunOutcome(String scenario, long seed, String engine, double durationSeconds, int pasids, RoutingMode routingMode,
                         long issuedGroups, long completedGroups, long lostGroups, double throughputPerSec, Histogram latencyMicros,
                         Map<String, Long> outcomes, Map<String, Long> violations, Map<String, List<String>> counterexamples,
                         List<FaultWindow> faultsInjected, List<AssertionResult> assertions, long heapPeakBytes, Environment environment,
                         List<TimelinePoint> timeline, List<Histogram> intervalHistograms) {

    public RunOutcome {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(routingMode, "routingMode");
        Objects.requireNonNull(environment, "environment");
        latencyMicros = Objects.requireNonNull(latencyMicros, "latencyMicros").copy();
        outcomes = Collections.unmodifiableMap(new LinkedHashMap<>(outcomes));
        violations = Collections.unmodifiableMap(new LinkedHashMap<>(violations));
        Map<String, List<String>> examples = new LinkedHashMap<>();
        counterexamples.forEach((invariant, list) -> examples.put(invariant, List.copyOf(list)));
        counterexamples = Collections.unmodifiableMap(examples);
        faultsInjected = List.copyOf(faultsInjected);
        assertions = List.copyOf(assertions);
        timeline = List.copyOf(timeline);
        intervalHistograms = intervalHistograms.stream().map(Histogram::copy).toList();
    }

    @Override
    public Histogram latencyMicros() {
        return latencyMicros.copy();
    }

    @Override
    public List<Histogram> intervalHistograms() {
        return intervalHistograms.stream().map(Histogram::copy).toList();
    }

    /** Every invariant's name with its count of violations, zeros included, in DOMAIN order. */
    public static Map<String, Long> violationCounts(io.faultfabric.engine.check.Violations v) {
        Map<String, Long> counts = new LinkedHashMap<>();
        v.counts().forEach((invariant, count) -> counts.put(invariant.name(), count));
        return counts;
    }

    /** The counterexamples of the violated invariants, by name. */
    public static Map<String, List<String>> counterexamples(io.faultfabric.engine.check.Violations v) {
        Map<String, List<String>> examples = new LinkedHashMap<>();
        for (io.faultfabric.engine.check.Invariant i : io.faultfabric.engine.check.Invariant.values()) {
            List<String> e = v.examples(i);
            if (!e.isEmpty()) examples.put(i.name(), e);
        }
        return examples;
    }

    public long violationsTotal() {
        return violations.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The whole-run latency percentiles, read as the report reads them. */
    public LatencySummary latencySummary() {
        return LatencySummary.of(latencyMicros);
    }

    /** The value of an assertion metric (see {@link Metrics}); absent outcomes count 0, an empty histogram reads 0. */
    public double metric(String name) {
        switch (name) {
            case Metrics.ISSUED_GROUPS: return issuedGroups;
            case Metrics.COMPLETED_GROUPS: return completedGroups;
            case Metrics.LOST_GROUPS: return lostGroups;
            case Metrics.THROUGHPUT_PER_SEC: return throughputPerSec;
            case Metrics.DURATION_SECONDS: return durationSeconds;
            case Metrics.PASIDS: return pasids;
            case Metrics.P50_MICROS: return latencySummary().p50();
            case Metrics.P90_MICROS: return latencySummary().p90();
            case Metrics.P99_MICROS: return latencySummary().p99();
            case Metrics.P999_MICROS: return latencySummary().p999();
            case Metrics.MAX_MICROS: return latencySummary().max();
            case Metrics.MEAN_MICROS: return latencySummary().mean();
            case Metrics.VIOLATIONS: return violationsTotal();
            case Metrics.HEAP_PEAK_BYTES: return heapPeakBytes;
            case Metrics.FAULTS_INJECTED: return faultsInjected.size();
            default:
                if (!Metrics.known(name)) throw new IllegalArgumentException("unknown metric " + name);
                if (name.startsWith(Metrics.OUTCOMES_PREFIX)) return outcomes.getOrDefault(name.substring(Metrics.OUTCOMES_PREFIX.length()), 0L);
                return violations.getOrDefault(name.substring(Metrics.VIOLATIONS_PREFIX.length()), 0L);
        }
    }

    /** This outcome with the scenario's assertions judged on it. */
    public RunOutcome withAssertionsOf(Scenario s) {
        List<AssertionResult> results = s.assertions().stream().map(this::judge).toList();
        return new RunOutcome(scenario, seed, engine, durationSeconds, pasids, routingMode, issuedGroups, completedGroups, lostGroups,
                throughputPerSec, latencyMicros, outcomes, violations, counterexamples, faultsInjected, results, heapPeakBytes,
                environment, timeline, intervalHistograms);
    }

    public AssertionResult judge(Assertion assertion) {
        double actual = metric(assertion.metric());
        return new AssertionResult(assertion.expression(), assertion.holds(actual), format(actual));
    }

    public List<AssertionResult> failedAssertions() {
        return assertions.stream().filter(a -> !a.passed()).toList();
    }

    /** The report of this run, field for field; the routing mode goes in by its enum name. */
    public RunReport toReport() {
        return new RunReport(scenario, seed, engine, durationSeconds, pasids, routingMode.name(), issuedGroups, completedGroups, lostGroups,
                throughputPerSec, latencyMicros, outcomes, violations, counterexamples, faultsInjected, assertions, heapPeakBytes,
                environment, timeline, intervalHistograms);
    }

    /** Whole numbers without a fraction, others to three decimals. */
    static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) return Long.toString((long) value);
        return BigDecimal.valueOf(Double.parseDouble(String.format(Locale.ROOT, "%.3f", value))).stripTrailingZeros().toPlainString();
    }
}
