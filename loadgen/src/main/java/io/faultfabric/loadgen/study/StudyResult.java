package io.faultfabric.loadgen.study;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.StallEventQueue;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.streams.FabricSnapshot;
import org.HdrHistogram.Histogram;

/**
 * What one study point measured. "Party" is owner 0 (impaired); "co-located" the other owners of device 0, which
 * share its PRI credits and, in DEVICE mode, its ring; "remote" the owners of device 1. Latencies in microseconds
 * from each group's intended issue time to its response at the device; NaN where a class saw no group.
 * {@code coLocatedThroughput}: groups/s the co-located owners answered themselves; {@code systemLoad}: the machine's
 * 1-minute load average when the point ended (other processes share the CPUs). For a stalls point, {@code stalls} is how
 * many transactions the stalling device stalled, {@code resumesRetry}/{@code resumesAbort} the resumes it got, and
 * {@code eventQueueWaits} how many stalls found the SMMU's event queue full and waited for room.
 */
public record StudyResult(StudyPoint point, long serviceNanos, double offeredPerSecond, double seconds, long issued,
                          long completed, double throughputPerSec, double p50, double p99, double p999, double max,
                          double partyP99, double coLocatedP50, double coLocatedP99, long coLocatedTimeouts, long coLocatedAuto,
                          double remoteP99, double jain, long overflowEvents, long autoTotal, long timeouts, long ownerQueueFull,
                          long priDisabled, long violations, double coLocatedThroughput, double systemLoad, long stalls, long resumesRetry,
                          long resumesAbort, long eventQueueWaits) {

    static StudyResult of(StudyPoint p, Topology t, long serviceNanos, double rate, double seconds, FabricSnapshot s, OwnerLatencies o, double systemLoad) {
        int perDev = p.ownersPerDevice();
        int owners = t.ioasidOwnerCount();
        Histogram all = s.latencyMicros();
        long completed = s.ledger().groupsCompleted() - s.ledger().auto(AutoReason.SHUTDOWN);
        double sum = 0, sumSq = 0;
        for (int i = 0; i < owners; i++) {
            double x = o.answeredByHandler(i) / seconds;
            sum += x;
            sumSq += x * x;
        }
        double jain = sumSq == 0 ? Double.NaN : sum * sum / (owners * sumSq);
        double coLocated = 0;
        for (int i = 1; i < perDev; i++) coLocated += o.answeredByHandler(i) / seconds;
        long violations = s.violations().counts().values().stream().mapToLong(Long::longValue).sum();
        return new StudyResult(p, serviceNanos, rate, seconds, s.ledger().groupsIssued, completed, completed / seconds,
            StudyRun.micros(all, 50), StudyRun.micros(all, 99), StudyRun.micros(all, 99.9), StudyRun.micros(all, 100),
            StudyRun.micros(o.latency(0, 1), 99), StudyRun.micros(o.latency(1, perDev), 50), StudyRun.micros(o.latency(1, perDev), 99),
            o.timeouts(1, perDev), o.auto(1, perDev), StudyRun.micros(o.latency(perDev, owners), 99), jain,
            s.ledger().overflowEvents, StudyRun.autoTotal(s), s.ledger().auto(AutoReason.TIMEOUT), s.ledger().auto(AutoReason.OWNER_QUEUE_FULL),
            s.ledger().priDisabledEvents, violations, perDev > 1 ? coLocated : Double.NaN, systemLoad, s.ledger().stallsIssued,
            s.ledger().resumes(StallEventQueue.Resume.RETRY), s.ledger().resumes(StallEventQueue.Resume.ABORT), s.ledger().stallsWaitedForRoom);
    }
}
