package io.faultfabric.engine.owner;

/**
 * How a server that handles one job at a time (an owner's handler, a guest's fault handler) turns
 * service times into timer delays when its timer can only fire on scheduler ticks (Pekko's default
 * tick is 10 ms, while service times are microseconds). It asks for the remaining service time
 * rounded up to whole ticks; when that timer fires, the rest of the window is spent on the jobs
 * that follow, so throughput follows the service times and only latency is quantised to the tick.
 * Deterministic: it depends on the service times and the tick alone, never on a clock.
 */
public final class ServiceWindow implements ServicePacer {
    private final long tickNanos;
    private long slack;
    private long pendingSlack;

    /** @param tickNanos the scheduler's tick; 0 when timers fire exactly */
    public ServiceWindow(long tickNanos) {
        if (tickNanos < 0) throw new IllegalArgumentException("tickNanos must be >= 0, was " + tickNanos);
        this.tickNanos = tickNanos;
    }

    /**
     * The server starts a job of {@code serviceNanos}: 0 when it is done at once (no service time, or it
     * fits in what is left of the window that just ended), else the timer delay to ask for.
     */
    @Override
    public long begin(long serviceNanos) {
        if (serviceNanos < 0) throw new IllegalArgumentException("serviceNanos must be >= 0, was " + serviceNanos);
        if (serviceNanos <= slack) {
            slack -= serviceNanos;
            return 0;
        }
        long remaining = serviceNanos - slack;
        slack = 0;
        long delay = tickNanos == 0 ? remaining : ((remaining + tickNanos - 1) / tickNanos) * tickNanos;
        pendingSlack = delay - remaining;
        return delay;
    }

    /** The timer asked for by the last {@link #begin} fired: the rest of its window may serve the next jobs. */
    @Override
    public void fired() {
        slack = pendingSlack;
        pendingSlack = 0;
    }

    /** The server has nothing more to do now: the rest of the window passes unused. */
    @Override
    public void idle() {
        slack = 0;
    }

    /** Service time left in the current window. */
    public long slack() { return slack; }

    public long tickNanos() { return tickNanos; }
}
