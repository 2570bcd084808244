package io.faultfabric.loadgen.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run, as opposed to what to run (the scenario).
 *
 * @param progressInterval how often the runner reports progress, and the length of the report's latency intervals
 * @param reportDir        the run's report directory, already created; a runner may leave files of its own there
 * @param warmup           how long to run the scenario's load on a throwaway fabric first, so that the measured run
 *                         starts on a warm JVM (0: measure from cold); the direct engine warms within milliseconds and ignores it
 * @param nodes            1: one ActorSystem; more: a cluster of this many nodes in this JVM on 127.0.0.1 (docs/cluster.md)
 * @param join             null, or an existing cluster to join as its devices node, its owners being on other processes'
 *                         {@code faultfabric node}s (docs/cluster.md); then {@code nodes} is 1
 */
public record RunOptions(Duration progressInterval, Path reportDir, Duration warmup, int nodes, ClusterJoin join) {
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(1);

    public RunOptions {
        Objects.requireNonNull(progressInterval, "progressInterval");
        Objects.requireNonNull(reportDir, "reportDir");
        Objects.requireNonNull(warmup, "warmup");
        if (warmup.isNegative()) throw new IllegalArgumentException("warmup must be >= 0, was " + warmup);
        if (progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("progressInterval must be > 0, was " + progressInterval);
        }
        if (nodes < 1) throw new IllegalArgumentException("nodes must be >= 1, was " + nodes);
        if (join != null && nodes != 1) throw new IllegalArgumentException("a run joins an existing cluster or starts one of its own nodes, not both");
    }

    /** Where a run that joins an existing cluster binds ({@code host}, a free port) and the seed nodes it joins. */
    public record ClusterJoin(String host, java.util.List<String> seedNodes) {
        public ClusterJoin {
            Objects.requireNonNull(host, "host");
            seedNodes = java.util.List.copyOf(seedNodes);
            if (seedNodes.isEmpty()) throw new IllegalArgumentException("seedNodes must name at least one host:port");
        }
    }

    /** Whether the owners live on cluster nodes of role owners rather than in the run's own system. */
    public boolean clustered() {
        return nodes > 1 || join != null;
    }

    public RunOptions(Duration progressInterval, Path reportDir) {
        this(progressInterval, reportDir, Duration.ZERO, 1, null);
    }

    public RunOptions withNodes(int n) {
        return new RunOptions(progressInterval, reportDir, warmup, n, join);
    }

    public static RunOptions in(Path reportDir) {
        return new RunOptions(DEFAULT_PROGRESS_INTERVAL, reportDir);
    }

    public RunOptions withWarmup(Duration d) {
        return new RunOptions(progressInterval, reportDir, d, nodes, join);
    }

    public RunOptions joining(ClusterJoin j) {
        return new RunOptions(progressInterval, reportDir, warmup, nodes, j);
    }
}
