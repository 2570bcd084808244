package io.faultfabric.loadgen.bench;

import org.HdrHistogram.Histogram;

/** What one workload of the bench measured. */
public sealed interface BenchResult {
    BenchWorkload workload();

    /** Invariant violations and lost groups found by the checkers in every measured path: 0 in a sound fabric. */
    long violations();

    /**
     * One engine's figures over the measured interval (warm-up excluded).
     *
     * @param lostGroups   groups without a response once the load had stopped and the engine had settled
     * @param autoAnswered of {@code groups}, those the fabric answered instead of their owner (e.g. queue overflow)
     * @param autoReasons  {@code autoAnswered} by reason (AutoReason names), the non-zero ones
     */
    record EngineFigures(long groups, long requests, double seconds, long violations, long lostGroups, long autoAnswered,
                         java.util.Map<String, Long> autoReasons) {
        /** Automatic answers by reason between two ledgers. */
        static java.util.Map<String, Long> autoReasons(io.faultfabric.engine.OutcomeLedger before, io.faultfabric.engine.OutcomeLedger after) {
            java.util.Map<String, Long> m = new java.util.TreeMap<>();
            for (io.faultfabric.engine.AutoReason r : io.faultfabric.engine.AutoReason.values()) {
                long n = after.auto(r) - before.auto(r);
                if (n != 0) m.put(r.name(), n);
            }
            return m;
        }

        public double groupsPerSec() { return seconds <= 0 ? 0 : groups / seconds; }

        public double requestsPerSec() { return seconds <= 0 ? 0 : requests / seconds; }
    }

    /** @param fabricStartSeconds how long the fabric's actor tree took to start */
    record Throughput(BenchWorkload.Throughput workload, EngineFigures direct, EngineFigures fabric, double fabricStartSeconds)
            implements BenchResult {
        /** Fabric throughput over direct throughput: 1 would be as fast as the single-threaded baseline. */
        public double ratio() { return direct.groupsPerSec() == 0 ? 0 : fabric.groupsPerSec() / direct.groupsPerSec(); }

        /** How many times slower the fabric is than the baseline (1 / ratio). */
        public double slowdown() { return fabric.groupsPerSec() == 0 ? 0 : direct.groupsPerSec() / fabric.groupsPerSec(); }

        @Override public long violations() { return direct.violations() + fabric.violations() + direct.lostGroups() + fabric.lostGroups(); }
    }

    /**
     * @param maxGroupsPerSec  the closed-model throughput, taken as the highest sustainable rate
     * @param offeredPerSec    the open model's constant rate (loadFraction of the maximum)
     * @param achievedPerSec   groups completed per second under the open load
     * @param engineMicros     per group, from the device sending its last request to the response reaching it
     * @param intendedMicros   per group, from its intended issue time (includes the load generator's lag behind its schedule)
     */
    /** @param open the measured open-model interval's counts: groups answered automatically there (TIMEOUT) show up here */
    record Latency(BenchWorkload.Latency workload, EngineFigures closed, double maxGroupsPerSec, double offeredPerSec,
                   double achievedPerSec, EngineFigures open, Histogram engineMicros, Histogram intendedMicros, long violations)
        implements BenchResult {}

    /**
     * @param bytesPerPasid  heap after start minus heap before, after full collections, over the PASIDs
     * @param startSeconds   from asking the fabric to start to its every actor being up
     */
    record Memory(BenchWorkload.Memory workload, long heapBeforeBytes, long heapAfterBytes, double bytesPerPasid,
                  double startSeconds, long violations) implements BenchResult {}
}
