package io.faultfabric.engine.owner;

import io.faultfabric.engine.Mix;

/** How long an owner takes to serve one group: a distribution sampled from a hash, so runs are reproducible. */
public record ServiceTime(Shape shape, long aNanos, long bNanos) {
    public enum Shape { ZERO, CONSTANT, UNIFORM, EXPONENTIAL }

    public static final ServiceTime ZERO = new ServiceTime(Shape.ZERO, 0, 0);

    public ServiceTime {
        java.util.Objects.requireNonNull(shape, "shape");
        if (aNanos < 0 || bNanos < 0) throw new IllegalArgumentException("service times must be >= 0, were " + aNanos + " and " + bNanos);
        if (shape == Shape.UNIFORM && bNanos < aNanos) throw new IllegalArgumentException("uniform service time needs min <= max, were " + aNanos + " and " + bNanos);
    }

    public static ServiceTime constant(long nanos) { return new ServiceTime(Shape.CONSTANT, nanos, 0); }
    public static ServiceTime uniform(long minNanos, long maxNanos) { return new ServiceTime(Shape.UNIFORM, minNanos, maxNanos); }
    public static ServiceTime exponential(long meanNanos) { return new ServiceTime(Shape.EXPONENTIAL, meanNanos, 0); }

    public long sampleNanos(long hash) {
        switch (shape) {
            case ZERO: return 0;
            case CONSTANT: return aNanos;
            case UNIFORM: return aNanos + (long) (Mix.unit(hash) * (bNanos - aNanos + 1));
            default: return (long) (-Math.log(1.0 - Mix.unit(hash)) * aNanos);
        }
    }

    public long meanNanos() {
        switch (shape) {
            case ZERO: return 0;
            case UNIFORM: return (aNanos + bNanos) / 2;
            default: return aNanos;
        }
    }

    @Override
    public String toString() {
        switch (shape) {
            case ZERO: return "zero";
            case CONSTANT: return aNanos / 1000.0 + "us";
            case UNIFORM: return "uniform(" + aNanos / 1000.0 + "us.." + bNanos / 1000.0 + "us)";
            default: return "exponential(mean " + aNanos / 1000.0 + "us)";
        }
    }
}
