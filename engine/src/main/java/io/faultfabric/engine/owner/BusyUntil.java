package io.faultfabric.engine.owner;

import java.util.function.LongSupplier;

/**
 * A server's busy time kept on a clock: a job starts when the server is free (or now, if it has been
 * idle) and ends its service time later. Delays are measured from the job's own start, not from when
 * a timer happened to fire, so a late timer does not slow the server down: throughput follows the
 * service times exactly and a timer's lateness shows only as latency.
 */
public final class BusyUntil implements ServicePacer {
    private final LongSupplier clock;
    private long busyUntil = Long.MIN_VALUE;

    public BusyUntil(LongSupplier nanoClock) {
        this.clock = java.util.Objects.requireNonNull(nanoClock, "nanoClock");
    }

    @Override
    public long begin(long serviceNanos) {
        if (serviceNanos < 0) throw new IllegalArgumentException("serviceNanos must be >= 0, was " + serviceNanos);
        if (serviceNanos == 0) return 0;
        long now = clock.getAsLong();
        // busy without a break since the last job: this one starts when that one ended, however late its timer fired
        long start = busyUntil == Long.MIN_VALUE ? now : busyUntil;
        busyUntil = start + serviceNanos;
        return Math.max(1, busyUntil - now);
    }

    @Override
    public void fired() {}

    /** An idle server starts its next job when it comes, not at the end of its last one. */
    @Override
    public void idle() {
        long now = clock.getAsLong();
        if (busyUntil != Long.MIN_VALUE && busyUntil - now < 0) busyUntil = Long.MIN_VALUE;
    }

    public long busyUntil() { return busyUntil; }
}
