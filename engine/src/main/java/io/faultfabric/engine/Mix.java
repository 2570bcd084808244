package io.faultfabric.engine;

/** Stateless 64-bit mixing (SplitMix64 finaliser): decisions that depend only on a seed and a group's identity, in any thread order. */
public final class Mix {
    private Mix() {}

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public static long hash(long seed, long a, long b, long c) {
        return mix(mix(mix(seed ^ 0x9E3779B97F4A7C15L) + a) + b * 0x632BE59BD9B4E019L + c);
    }

    /** A double in [0, 1) from a hash. */
    public static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }
}
