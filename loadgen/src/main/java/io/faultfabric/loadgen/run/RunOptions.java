package io.faultfabric.loadgen.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run, as opposed to what to run (the scenario).
 *
 * @param progressInterval how often the runner reports progress, and the length of the report's latency intervals
 * @param reportDir        the run's report directory, already created; a runner may leave files of its own there
 * @param nodes            1: one ActorSystem; more: a cluster of this many nodes in this JVM on 127.0.0.1 (docs/cluster.md)
 */
public record RunOptions(Duration progressInterval, Path reportDir, int nodes) {
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(1);

    public RunOptions {
        Objects.requireNonNull(progressInterval, "progressInterval");
        Objects.requireNonNull(reportDir, "reportDir");
        if (progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("progressInterval must be > 0, was " + progressInterval);
        }
        if (nodes < 1) throw new IllegalArgumentException("nodes must be >= 1, was " + nodes);
    }

    public RunOptions(Duration progressInterval, Path reportDir) {
        this(progressInterval, reportDir, 1);
    }

    public RunOptions withNodes(int n) {
        return new RunOptions(progressInterval, reportDir, n);
    }

    public static RunOptions in(Path reportDir) {
        return new RunOptions(DEFAULT_PROGRESS_INTERVAL, reportDir);
    }
}
