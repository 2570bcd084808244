package io.faultfabric.engine;

/**
 * A Page Group Response as a device received it: (RID, PASID, PRGI, code), whether the fabric
 * answered automatically and why, and the group's latency from its intended issue time. For a
 * stalling device (SMMUv3 stall model, {@code stall}) it is the resume of one stalled transaction:
 * {@code prgi} is then its 16-bit STAG, and {@link #resume()} says RETRY or ABORT.
 */
public record GroupResponse(int rid, int pasid, int prgi, ResponseCode code, AutoReason autoReason, int requestCount,
                            long latencyNanos, boolean stall) {

    /** The response to a PRI group. */
    public GroupResponse(int rid, int pasid, int prgi, ResponseCode code, AutoReason autoReason, int requestCount, long latencyNanos) {
        this(rid, pasid, prgi, code, autoReason, requestCount, latencyNanos, false);
    }

    public GroupResponse {
        Rid.check(rid, "rid");
        if (stall) Stag.check(prgi, "prgi (the STAG of a stall)");
        else Prgi.check(prgi, "prgi");
        java.util.Objects.requireNonNull(code, "code");
        if (autoReason != null && autoReason.code() != code) {
            throw new IllegalArgumentException("code " + code + " does not match the automatic reason " + autoReason + " (" + autoReason.code() + ")");
        }
        if (requestCount < 1) throw new IllegalArgumentException("requestCount must be >= 1, was " + requestCount);
    }

    public static GroupResponse of(PageRequestGroup g, long nowNanos) {
        return new GroupResponse(g.rid(), g.pasid(), g.prgi(), g.code(), g.autoReason(), g.requestCount(),
            Math.max(0, nowNanos - g.issuedNanos()), g.isStall());
    }

    /** For a stall, the CMD_RESUME it got (RETRY for Success, ABORT otherwise); null for a PRI group. */
    public StallEventQueue.Resume resume() {
        return stall ? StallEventQueue.action(code) : null;
    }

    public boolean automatic() { return autoReason != null; }
}
