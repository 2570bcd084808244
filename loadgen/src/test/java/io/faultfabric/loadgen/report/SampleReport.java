package io.faultfabric.loadgen.report;

import io.faultfabric.loadgen.report.RunReport.AssertionResult;
import io.faultfabric.loadgen.report.RunReport.Environment;
import io.faultfabric.loadgen.report.RunReport.FaultWindow;
import io.faultfabric.loadgen.report.RunReport.TimelinePoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * A realistic, seeded report: a minute of load on 256 PASIDs with a PRQ-overflow window and an owner stall, which dent
 * throughput and stretch the latency tail. Used by the browser test.
 */
final class SampleReport {
    private static final long SEED = 20_251_125L;
    private static final int RUN_SECONDS = 60;
    private static final int PASIDS = 256;
    private static final long START_EPOCH_MILLIS = 1_764_072_000_000L;
    private static final long MILLIS_PER_SECOND = 1_000;
    private static final double MICROS_PER_SECOND = 1_000_000;
    private static final int SIGNIFICANT_DIGITS = 3;

    private static final double STEADY_RATE = 1_180_000;
    private static final double RATE_JITTER = 0.025;
    private static final double RAMP_UP_SECONDS = 3;
    /** Latency samples drawn per second; each stands for rate / SAMPLES_PER_SECOND groups. */
    private static final int SAMPLES_PER_SECOND = 20_000;
    private static final double MEDIAN_MICROS = 17;
    private static final double LOG_SIGMA = 0.32;
    private static final double RETRY_PROBABILITY = 0.004;
    private static final double RETRY_MICROS = 90;

    private static final FaultWindow PRQ_OVERFLOW =
            new FaultWindow("prq-overflow", 22, 31, "PRQ depth cut from 512 to 32 entries on iommu0");
    private static final double PRQ_OVERFLOW_RATE_FACTOR = 0.46;
    private static final double PRQ_OVERFLOW_LATENCY_FACTOR = 2.6;
    private static final double PRQ_OVERFLOW_DROP_SHARE = 0.012;
    private static final FaultWindow OWNER_STALL =
            new FaultWindow("owner-stall", 44, 46.5, "IOASID owner of PASID 17 stops responding; auto-response after 200 µs");
    private static final double OWNER_STALL_RATE_FACTOR = 0.82;
    private static final double OWNER_STALL_TIMEOUT_SHARE = 0.004;
    private static final double OWNER_STALL_TIMEOUT_MICROS = 200;

    private static final double INVALID_SHARE = 0.0004;
    private static final double RESPONSE_FAILURE_SHARE = 0.0001;
    private static final long LOST_GROUPS = 0;
    private static final long HEAP_PEAK_BYTES = 431L << 20;
    /** Fixed rather than the current machine's, so the documentation screenshot is reproducible. */
    private static final Environment ENVIRONMENT =
            new Environment(16, "OpenJDK 64-Bit Server VM 17.0.15+6", 8L << 30, "Linux 6.1.0 amd64");
    private static final long P99_BUDGET_MICROS = 250;
    private static final double MIN_THROUGHPUT = 1_000_000;

    private SampleReport() {}

    static RunReport create() {
        Random random = new Random(SEED);
        Histogram whole = new Histogram(SIGNIFICANT_DIGITS);
        whole.setStartTimeStamp(START_EPOCH_MILLIS);
        List<Histogram> intervals = new ArrayList<>();
        List<TimelinePoint> timeline = new ArrayList<>();
        long completed = 0;
        double invalid = 0, responseFailures = 0, timeouts = 0, dropped = 0;
        for (int second = 0; second < RUN_SECONDS; second++) {
            boolean overflow = active(PRQ_OVERFLOW, second), stall = active(OWNER_STALL, second);
            double rate = STEADY_RATE * Math.min(1, (second + 1) / RAMP_UP_SECONDS)
                    * (overflow ? PRQ_OVERFLOW_RATE_FACTOR : stall ? OWNER_STALL_RATE_FACTOR : 1)
                    * (1 + RATE_JITTER * random.nextGaussian());
            long weight = Math.max(1, Math.round(rate / SAMPLES_PER_SECOND));
            Histogram interval = new Histogram(SIGNIFICANT_DIGITS);
            interval.setStartTimeStamp(START_EPOCH_MILLIS + second * MILLIS_PER_SECOND);
            interval.setEndTimeStamp(interval.getStartTimeStamp() + MILLIS_PER_SECOND);
            for (int i = 0; i < SAMPLES_PER_SECOND; i++) {
                double micros = MEDIAN_MICROS * Math.exp(LOG_SIGMA * random.nextGaussian()) * (overflow ? PRQ_OVERFLOW_LATENCY_FACTOR : 1);
                if (random.nextDouble() < RETRY_PROBABILITY) micros += RETRY_MICROS * (1 + random.nextDouble());
                if (stall && random.nextDouble() < OWNER_STALL_TIMEOUT_SHARE) micros += OWNER_STALL_TIMEOUT_MICROS;
                interval.recordValueWithCount(Math.max(1, Math.round(micros)), weight);
            }
            whole.add(interval);
            intervals.add(interval);
            long inSecond = interval.getTotalCount();
            completed += inSecond;
            invalid += inSecond * INVALID_SHARE;
            responseFailures += inSecond * RESPONSE_FAILURE_SHARE;
            dropped += overflow ? inSecond * PRQ_OVERFLOW_DROP_SHARE : 0;
            timeouts += stall ? inSecond * OWNER_STALL_TIMEOUT_SHARE : 0;
            // Little's law: groups in flight = arrival rate x mean time in the system
            long inFlight = Math.round(inSecond * interval.getMean() / MICROS_PER_SECOND);
            timeline.add(new TimelinePoint(second + 1, inSecond, inFlight, interval.getValueAtPercentile(99.0)));
        }
        whole.setEndTimeStamp(START_EPOCH_MILLIS + RUN_SECONDS * MILLIS_PER_SECOND);
        Map<String, Long> outcomes = new LinkedHashMap<>();
        long failures = Math.round(invalid) + Math.round(responseFailures) + Math.round(timeouts) + Math.round(dropped);
        outcomes.put("SUCCESS", completed - failures);
        outcomes.put("INVALID", Math.round(invalid));
        outcomes.put("RESPONSE_FAILURE", Math.round(responseFailures));
        outcomes.put("auto.TIMEOUT", Math.round(timeouts));
        outcomes.put("dropped.PRQ_OVERFLOW", Math.round(dropped));
        Map<String, Long> violations = new LinkedHashMap<>();
        for (String invariant : List.of("one-response-per-group", "pasid-isolation", "prq-credit-conservation", "no-lost-groups")) {
            violations.put(invariant, 0L);
        }
        long inFlightAtEnd = timeline.get(timeline.size() - 1).inFlight();
        double throughput = (double) completed / RUN_SECONDS;
        long p99 = whole.getValueAtPercentile(99.0);
        List<AssertionResult> assertions = List.of(
                new AssertionResult("latency.p99 < " + P99_BUDGET_MICROS + "µs", p99 < P99_BUDGET_MICROS, p99 + "µs"),
                new AssertionResult("lostGroups == 0", LOST_GROUPS == 0, Long.toString(LOST_GROUPS)),
                new AssertionResult("throughput > " + Format.count((long) MIN_THROUGHPUT) + "/s", throughput > MIN_THROUGHPUT,
                        Format.count(Math.round(throughput)) + "/s"));
        return new RunReport("pri-storm-256", SEED, "fabric", RUN_SECONDS, PASIDS, "per-pasid-affinity", completed + inFlightAtEnd + LOST_GROUPS,
                completed, LOST_GROUPS,
                throughput, whole, outcomes, violations, Map.of(), List.of(PRQ_OVERFLOW, OWNER_STALL), assertions, HEAP_PEAK_BYTES,
                ENVIRONMENT, timeline, intervals);
    }

    private static boolean active(FaultWindow fault, int second) {
        return second + 1 > fault.startSeconds() && second < fault.endSeconds();
    }
}
