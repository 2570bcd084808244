package io.faultfabric.loadgen.scenario;

import java.time.Duration;
import java.util.Locale;

/**
 * When a scenario's faults are meant to be issued: open models give a rate in groups per second across the whole
 * fabric, the closed model a number of groups each device keeps outstanding. Names and units follow the engine's
 * conventions (rates per second, durations in nanoseconds) so that an engine-level load profile can replace this type.
 */
public sealed interface LoadProfile {

    /** A constant rate. */
    record Constant(double perSecond) implements LoadProfile {
        public Constant { positiveRate(perSecond, "rate"); }

        @Override public String toString() { return "constant " + rate(perSecond); }
    }

    /** A linear ramp from one rate to another over {@code overNanos}, then the final rate. */
    record Ramp(double fromPerSecond, double toPerSecond, long overNanos) implements LoadProfile {
        public Ramp {
            positiveRate(fromPerSecond, "from");
            positiveRate(toPerSecond, "to");
            if (overNanos <= 0) throw new IllegalArgumentException("over must be > 0, was " + overNanos + "ns");
        }

        @Override public String toString() { return "ramp " + rate(fromPerSecond) + " to " + rate(toPerSecond) + " over " + nanos(overNanos); }
    }

    /** A base rate with bursts at a higher rate lasting {@code burstNanos} at the start of every {@code periodNanos}. */
    record Burst(double basePerSecond, double burstPerSecond, long burstNanos, long periodNanos) implements LoadProfile {
        public Burst {
            positiveRate(basePerSecond, "base");
            positiveRate(burstPerSecond, "burst");
            if (burstNanos <= 0 || periodNanos <= burstNanos) {
                throw new IllegalArgumentException("burst needs 0 < length < period, were " + burstNanos + "ns and " + periodNanos + "ns");
            }
        }

        @Override public String toString() {
            return "burst " + rate(basePerSecond) + ", " + rate(burstPerSecond) + " for " + nanos(burstNanos) + " every " + nanos(periodNanos);
        }
    }

    /** Poisson arrivals at a mean rate. */
    record Poisson(double perSecond) implements LoadProfile {
        public Poisson { positiveRate(perSecond, "rate"); }

        @Override public String toString() { return "poisson " + rate(perSecond); }
    }

    /** Closed model: each device keeps up to {@code concurrency} groups outstanding, never more than its credits allow. */
    record Closed(int concurrency) implements LoadProfile {
        public Closed {
            if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
        }

        @Override public String toString() { return "closed, " + concurrency + " groups outstanding per device"; }
    }

    default boolean open() { return !(this instanceof Closed); }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f/s", perSecond);
    }

    private static String nanos(long nanos) {
        return ConfigReader.renderDuration(Duration.ofNanos(nanos));
    }

    private static void positiveRate(double v, String name) {
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(name + " must be a positive number of groups per second, was " + v);
    }
}
