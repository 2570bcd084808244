package io.faultfabric.loadgen.scenario;

/** How many page requests a device puts in one group, drawn uniformly from {@code min..max}. */
public record RequestsPerGroup(int min, int max) {
    /** A PRGI names at most 512 outstanding requests' group; the engine's own bound. */
    public static final int MAX = 512;

    public RequestsPerGroup {
        if (min < 1 || max < min || max > MAX) {
            throw new IllegalArgumentException("requests per group must satisfy 1 <= min <= max <= " + MAX + ", were " + min + ".." + max);
        }
    }
}
