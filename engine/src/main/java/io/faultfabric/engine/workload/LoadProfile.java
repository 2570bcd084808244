package io.faultfabric.engine.workload;

import io.faultfabric.engine.Mix;

/**
 * When faults are meant to be issued. Open-model profiles give every group an intended issue time
 * (latency is measured from it, so a stalled device shows up as latency: coordinated omission
 * corrected); the closed model issues whenever a device has credits, up to a concurrency.
 */
public sealed interface LoadProfile {

    /** Constant rate, groups per second across the whole fabric. */
    record Constant(double perSecond) implements LoadProfile {
        public Constant { positive(perSecond, "rate"); }

        @Override public String toString() { return "constant " + rate(perSecond); }
    }

    /** A linear ramp from one rate to another over {@code overNanos}, then the final rate. */
    record Ramp(double fromPerSecond, double toPerSecond, long overNanos) implements LoadProfile {
        public Ramp {
            positive(fromPerSecond, "from");
            positive(toPerSecond, "to");
            if (overNanos <= 0) throw new IllegalArgumentException("over must be > 0, was " + overNanos + "ns");
        }

        @Override public String toString() { return "ramp " + rate(fromPerSecond) + " to " + rate(toPerSecond) + " over " + nanos(overNanos); }
    }

    /** A base rate with bursts at a higher rate lasting {@code burstNanos} every {@code periodNanos}. */
    record Burst(double basePerSecond, double burstPerSecond, long burstNanos, long periodNanos) implements LoadProfile {
        public Burst {
            positive(basePerSecond, "base");
            positive(burstPerSecond, "burst");
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
        public Poisson { positive(perSecond, "rate"); }

        @Override public String toString() { return "poisson " + rate(perSecond); }
    }

    /** Closed model: each device keeps up to {@code concurrency} groups outstanding (never more than its credits allow). */
    record Closed(int concurrency) implements LoadProfile {
        public Closed {
            if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
        }

        @Override public String toString() { return "closed, " + concurrency + " groups outstanding per device"; }
    }

    private static void positive(double v, String name) {
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(name + " must be a positive number of groups per second, was " + v);
    }

    private static String rate(double perSecond) {
        return String.format(java.util.Locale.ROOT, "%,.0f/s", perSecond);
    }

    private static String nanos(long nanos) {
        return java.time.Duration.ofNanos(nanos).toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    default boolean open() { return !(this instanceof Closed); }

    /**
     * The arrival schedule of one of {@code sources} equal shares of this profile: intended times in
     * nanoseconds from the start, increasing, reproducible from the seed.
     */
    default Schedule schedule(int sources, long seed, int source) {
        if (sources < 1) throw new IllegalArgumentException("sources must be >= 1, was " + sources);
        return new Schedule(this, sources, seed, source);
    }

    /** Intended times of one source, one after the other. */
    final class Schedule {
        private final LoadProfile profile;
        private final double share;
        private final long seed;
        private final int source;
        private double t;
        private long k;

        Schedule(LoadProfile profile, int sources, long seed, int source) {
            this.profile = profile;
            this.share = 1.0 / sources;
            this.seed = seed;
            this.source = source;
            // stagger sources so that they do not all fire at the same instant
            this.t = profile instanceof Constant c ? Mix.unit(Mix.hash(seed, source, 0, 3)) * 1e9 / (c.perSecond() * share) : 0;
        }

        /** The next intended time, nanoseconds from the start of the run. */
        public long next() {
            long at = (long) t;
            t += gapNanos(t);
            k++;
            return at;
        }

        private double gapNanos(double now) {
            double rate = rateAt(now) * share;
            if (profile instanceof Poisson) {
                double u = Mix.unit(Mix.hash(seed, source, k, 4));
                return -Math.log(1 - u) * 1e9 / rate;
            }
            return 1e9 / rate;
        }

        private double rateAt(double now) {
            if (profile instanceof Constant c) return c.perSecond();
            if (profile instanceof Poisson p) return p.perSecond();
            if (profile instanceof Ramp r) {
                double f = Math.min(1.0, now / r.overNanos());
                return r.fromPerSecond() + f * (r.toPerSecond() - r.fromPerSecond());
            }
            if (profile instanceof Burst b) {
                return (long) now % b.periodNanos() < b.burstNanos() ? b.burstPerSecond() : b.basePerSecond();
            }
            throw new IllegalStateException("the closed model has no arrival schedule");
        }
    }
}
