package io.faultfabric.engine.owner;

/**
 * How a server that handles one job at a time turns service times into timer delays. Two ways:
 * {@link ServiceWindow} for a timer that fires only on coarse scheduler ticks (and for tests on
 * manual time), {@link BusyUntil} for a precise clock.
 */
public interface ServicePacer {
    /** The server starts a job of {@code serviceNanos}: 0 when it is done at once, else the delay to wait. */
    long begin(long serviceNanos);

    /** The timer asked for by the last {@link #begin} fired. */
    void fired();

    /** The server has nothing more to do now. */
    void idle();
}
