package io.faultfabric.loadgen.scenario;

import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.check.Invariant;

import java.util.ArrayList;
import java.util.List;

/**
 * The names an assertion may compare: the run summary's figures, {@code outcomes.<name>} for each outcome the engine
 * counts (as {@code OutcomeLedger.outcomes()} names them) and {@code violations.<INVARIANT>} for each invariant.
 */
public final class Metrics {
    public static final String ISSUED_GROUPS = "issuedGroups";
    public static final String COMPLETED_GROUPS = "completedGroups";
    public static final String LOST_GROUPS = "lostGroups";
    public static final String THROUGHPUT_PER_SEC = "throughputPerSec";
    public static final String DURATION_SECONDS = "durationSeconds";
    public static final String PASIDS = "pasids";
    public static final String P50_MICROS = "p50Micros";
    public static final String P90_MICROS = "p90Micros";
    public static final String P99_MICROS = "p99Micros";
    public static final String P999_MICROS = "p999Micros";
    public static final String MAX_MICROS = "maxMicros";
    public static final String MEAN_MICROS = "meanMicros";
    public static final String VIOLATIONS = "violations";
    public static final String HEAP_PEAK_BYTES = "heapPeakBytes";
    public static final String FAULTS_INJECTED = "faultsInjected";
    public static final String OUTCOMES_PREFIX = "outcomes.";
    public static final String VIOLATIONS_PREFIX = "violations.";

    /** The summary's own figures, in the order the summary lists them. */
    public static final List<String> SUMMARY = List.of(ISSUED_GROUPS, COMPLETED_GROUPS, LOST_GROUPS, THROUGHPUT_PER_SEC,
            DURATION_SECONDS, PASIDS, P50_MICROS, P90_MICROS, P99_MICROS, P999_MICROS, MAX_MICROS, MEAN_MICROS, VIOLATIONS,
            HEAP_PEAK_BYTES, FAULTS_INJECTED);

    /** Outcome names as {@code OutcomeLedger.outcomes()} spells them. */
    public static final List<String> OUTCOMES = OutcomeLedger.outcomeNames();

    /** Every name an assertion may use. */
    public static final List<String> ALL = all();

    private Metrics() {}

    public static boolean known(String name) {
        return ALL.contains(name);
    }

    private static List<String> all() {
        List<String> names = new ArrayList<>(SUMMARY);
        for (String outcome : OUTCOMES) names.add(OUTCOMES_PREFIX + outcome);
        for (Invariant i : Invariant.values()) names.add(VIOLATIONS_PREFIX + i.name());
        return List.copyOf(names);
    }
}
