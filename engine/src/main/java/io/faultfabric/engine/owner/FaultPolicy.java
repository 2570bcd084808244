package io.faultfabric.engine.owner;

import io.faultfabric.engine.Mix;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.ResponseCode;

/**
 * How an owner answers: its service time, the share of requests it cannot serve (Invalid), the
 * share of groups its handler fails on (the kernel then answers Response Failure), and the depth
 * of its own fault queue. Decisions depend only on the seed and the group's identity.
 */
public record FaultPolicy(ServiceTime serviceTime, double invalidRatio, double failureRatio, int queueCapacity) {

    public static final FaultPolicy DEFAULT = new FaultPolicy(ServiceTime.ZERO, 0.0, 0.0, 4096);

    public FaultPolicy {
        java.util.Objects.requireNonNull(serviceTime, "serviceTime");
        ratio(invalidRatio, "invalidRatio");
        ratio(failureRatio, "failureRatio");
        if (invalidRatio + failureRatio > 1.0) throw new IllegalArgumentException("invalidRatio + failureRatio must be <= 1, was " + (invalidRatio + failureRatio));
        if (queueCapacity < 1) throw new IllegalArgumentException("queueCapacity must be >= 1, was " + queueCapacity);
    }

    private static void ratio(double r, String name) {
        if (!(r >= 0.0 && r <= 1.0)) throw new IllegalArgumentException(name + " must be in [0, 1], was " + r);
    }

    public FaultPolicy withServiceTime(ServiceTime s) { return new FaultPolicy(s, invalidRatio, failureRatio, queueCapacity); }

    /** What the owner decides for a group. */
    public enum Decision { SUCCESS, INVALID, HANDLER_FAILS }

    /**
     * The SVA handler (and the iommufd owners) walk the group's requests in order; the first that
     * cannot be served makes the group Invalid and stops the rest. A handler failure is drawn per group.
     */
    public Decision decide(long seed, PageRequestGroup g) {
        long base = Mix.hash(seed, g.rid(), g.sequence(), g.pasid());
        if (failureRatio > 0 && Mix.unit(base) < failureRatio) return Decision.HANDLER_FAILS;
        if (invalidRatio > 0) {
            for (int i = 0; i < g.requestCount(); i++) {
                if (Mix.unit(Mix.mix(base + i + 1)) < invalidRatio) return Decision.INVALID;
            }
        }
        return Decision.SUCCESS;
    }

    public long serviceNanos(long seed, PageRequestGroup g) {
        return serviceTime.sampleNanos(Mix.hash(seed ^ 0x5DEECE66DL, g.rid(), g.sequence(), g.prgi()));
    }

    /** The code an owner of this kind sends for a decision; a handler failure is not a code it sends. */
    public static ResponseCode codeFor(OwnerKind kind, Decision d) {
        return d == Decision.INVALID ? ResponseCode.INVALID : ResponseCode.SUCCESS;
    }
}
