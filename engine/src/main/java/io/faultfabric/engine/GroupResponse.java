package io.faultfabric.engine;

/**
 * A Page Group Response as a device received it: (RID, PASID, PRGI, code), whether the fabric
 * answered automatically and why, and the group's latency from its intended issue time.
 */
public record GroupResponse(int rid, int pasid, int prgi, ResponseCode code, AutoReason autoReason, int requestCount,
                            long latencyNanos) {

    public GroupResponse {
        Rid.check(rid, "rid");
        Prgi.check(prgi, "prgi");
        java.util.Objects.requireNonNull(code, "code");
        if (autoReason != null && autoReason.code() != code) {
            throw new IllegalArgumentException("code " + code + " does not match the automatic reason " + autoReason + " (" + autoReason.code() + ")");
        }
        if (requestCount < 1) throw new IllegalArgumentException("requestCount must be >= 1, was " + requestCount);
    }

    public static GroupResponse of(PageRequestGroup g, long nowNanos) {
        return new GroupResponse(g.rid(), g.pasid(), g.prgi(), g.code(), g.autoReason(), g.requestCount(),
            Math.max(0, nowNanos - g.issuedNanos()));
    }

    public boolean automatic() { return autoReason != null; }
}
