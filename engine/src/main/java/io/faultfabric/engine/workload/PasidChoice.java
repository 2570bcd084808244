package io.faultfabric.engine.workload;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** How a device picks the PASID of its next fault among its bindings: uniformly, or Zipf with an exponent. */
public record PasidChoice(Kind kind, double exponent) {
    public enum Kind { UNIFORM, ZIPF }

    public static final PasidChoice UNIFORM = new PasidChoice(Kind.UNIFORM, 0);

    public PasidChoice {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.ZIPF && !(exponent > 0 && exponent <= 10)) {
            throw new IllegalArgumentException("zipf exponent must be in (0, 10], was " + exponent);
        }
    }

    public static PasidChoice zipf(double exponent) { return new PasidChoice(Kind.ZIPF, exponent); }

    /** One table per (n, exponent); a record key, since no packing of both into a long is free of collisions. */
    private record CdfKey(int n, double exponent) {}

    private static final Map<CdfKey, double[]> CDFS = new ConcurrentHashMap<>();

    /** Picks an index in [0, n) from a uniform draw u in [0, 1). */
    public int pick(double u, int n) {
        if (kind == Kind.UNIFORM || n == 1) return (int) (u * n);
        double[] cdf = CDFS.computeIfAbsent(new CdfKey(n, exponent), k -> cdf(n, exponent));
        int lo = 0, hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] > u) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    private static double[] cdf(int n, double s) {
        double[] c = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, s);
            c[i] = sum;
        }
        for (int i = 0; i < n; i++) c[i] /= sum;
        c[n - 1] = 1.0;
        return c;
    }

    @Override
    public String toString() {
        return kind == Kind.UNIFORM ? "uniform" : "zipf(" + exponent + ")";
    }
}
