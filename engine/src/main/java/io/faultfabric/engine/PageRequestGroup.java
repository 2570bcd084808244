package io.faultfabric.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A page request group: the requests of one PRGI of one function, closed by its L=1 request.
 * It is the one object a fault allocates beyond its requests: the IOMMU assembles it, hands it to
 * the handler, and returns it to the device with the answer filled in. Fields are written by the
 * IOMMU only; handlers and devices read them after a message hand-off.
 */
public final class PageRequestGroup {
    private final int iommu;
    private final int deviceIndex;
    private final int rid;
    private int prgi;
    private boolean stall;
    private int pasid;
    private boolean pasidPresent;
    private PageRequest last;
    private PageRequest[] earlier;
    private int earlierCount;

    private long groupId = -1;
    private int handler = -1;
    private int ioasid = -1;
    private long dispatchedNanos;
    private ResponseCode code;
    private AutoReason autoReason;

    // intrusive dispatch-order list of outstanding groups, for timeouts without per-group timers
    PageRequestGroup prevOutstanding;
    PageRequestGroup nextOutstanding;
    boolean outstanding;
    /** When its first request arrived at the IOMMU (the unit's running count of requests offered), for the drain check. */
    long arrival;

    // what happened to it at its IOMMU, for counterexamples: up to HISTORY events of one byte each, in one long
    static final int HISTORY = 8;
    static final int DISPATCHED = 1, ANSWERED = 2, AUTO = 3, REJECTED = 4;
    private long trail;
    private int events;

    PageRequestGroup(int iommu, int deviceIndex, PageRequest first) {
        this.iommu = iommu;
        this.deviceIndex = deviceIndex;
        this.rid = first.rid();
        this.prgi = first.prgi();
        this.pasid = first.pasid();
        this.pasidPresent = first.pasidPresent();
        if (first.last()) this.last = first;
        else append(first);
    }

    void append(PageRequest r) {
        if (r.last()) {
            last = r;
            pasid = r.pasid();
            pasidPresent = r.pasidPresent();
            return;
        }
        if (earlier == null) earlier = new PageRequest[4];
        else if (earlierCount == earlier.length) earlier = java.util.Arrays.copyOf(earlier, earlierCount * 2);
        earlier[earlierCount++] = r;
    }

    /**
     * Marks the group as an SMMUv3 stall: one faulting transaction of a stalling device, its group id the STAG the SMMU
     * gave it. From here on {@link #prgi()} is that STAG.
     */
    void stalled(int stag) {
        this.prgi = Stag.check(stag, "stag");
        this.stall = true;
    }

    /** A stalling device's transaction that could not get a STAG (all of its stream's are outstanding): a stall with STAG 0, aborted at once. */
    void stalledWithoutTag() {
        this.prgi = 0;
        this.stall = true;
    }

    void dispatched(long groupId, int handler, int ioasid, long nowNanos) {
        this.groupId = groupId;
        this.handler = handler;
        this.ioasid = ioasid;
        this.dispatchedNanos = nowNanos;
        note(DISPATCHED, 0);
    }

    void answer(ResponseCode code, AutoReason reason) {
        this.code = code;
        this.autoReason = reason;
        note(reason == null ? ANSWERED : AUTO, reason == null ? code.ordinal() : reason.ordinal());
    }

    /** Adds an event to the group's bounded history; past {@link #HISTORY} events only the count goes on. */
    void note(int type, int detail) {
        if (events < HISTORY) trail |= (long) ((type << 5) | (detail & 0x1F)) << (8 * events);
        events++;
    }

    /**
     * What happened to this group at its IOMMU, oldest first: dispatched, answers rejected, its answer. Bounded (one long
     * per group, no event log), so it is always kept; counterexamples quote it.
     */
    public String history() {
        StringBuilder b = new StringBuilder("[").append(requestCount()).append(requestCount() == 1 ? " request" : " requests")
            .append(", device sequence ").append(sequence());
        for (int i = 0; i < Math.min(events, HISTORY); i++) {
            int e = (int) (trail >>> (8 * i)) & 0xFF;
            int detail = e & 0x1F;
            b.append(" -> ");
            switch (e >>> 5) {
                case DISPATCHED: b.append("dispatched as group ").append(groupId).append(" to handler ").append(handler)
                    .append(" (ioasid ").append(ioasid).append(')'); break;
                case ANSWERED: b.append("answered ").append(ResponseCode.values()[detail]).append(" by its handler"); break;
                case AUTO: b.append("answered automatically ").append(AutoReason.values()[detail]); break;
                case REJECTED: b.append("an answer rejected ").append(RejectReason.values()[detail]); break;
                default: b.append('?');
            }
        }
        if (events > HISTORY) b.append(" -> ... ").append(events - HISTORY).append(" more");
        return b.append(']').toString();
    }

    public int iommu() { return iommu; }
    public int deviceIndex() { return deviceIndex; }
    public int rid() { return rid; }
    public int pasid() { return pasid; }
    public boolean pasidPresent() { return pasidPresent; }
    /** The PRGI of a PRI group; for a stall ({@link #isStall()}) its 16-bit STAG, the group id software answers with. */
    public int prgi() { return prgi; }
    /** A stalled transaction of an SMMUv3 stalling device (a one-request group whose id is its STAG), not a PRI group. */
    public boolean isStall() { return stall; }
    /** The STAG of a stall, or -1 for a PRI group. */
    public int stag() { return stall ? prgi : -1; }
    /** The IOMMU's unique number for this group instance (a PRGI is reused; this is not). -1 before dispatch. */
    public long groupId() { return groupId; }
    /** The handler (owner index) it was handed to; -1 if it never was. */
    public int handler() { return handler; }
    public int ioasid() { return ioasid; }
    public long dispatchedNanos() { return dispatchedNanos; }
    public boolean isClosed() { return last != null; }
    public PageRequest lastRequest() { return last; }
    public int requestCount() { return earlierCount + (last == null ? 0 : 1); }
    /** The device's sequence number of this group (from its last request). */
    public long sequence() { return last == null ? -1 : last.sequence(); }
    /** Intended issue time of the group's last request: latency is measured from it. */
    public long issuedNanos() { return last == null ? 0 : last.issuedNanos(); }
    public ResponseCode code() { return code; }
    /** Non-null when the fabric answered instead of the handler. */
    public AutoReason autoReason() { return autoReason; }
    public boolean isAnswered() { return code != null; }

    public PageRequest request(int i) {
        if (i < earlierCount) return earlier[i];
        if (i == earlierCount && last != null) return last;
        throw new IndexOutOfBoundsException("request " + i + " of " + requestCount());
    }

    public List<PageRequest> requests() {
        List<PageRequest> out = new ArrayList<>(requestCount());
        for (int i = 0; i < requestCount(); i++) out.add(request(i));
        return Collections.unmodifiableList(out);
    }

    @Override
    public String toString() {
        return (stall ? "Stall[iommu " : "Group[iommu ") + iommu + " rid " + new Rid(rid) + " pasid " + pasid + (stall ? " stag " : " prgi ") + prgi + " id " + groupId
            + " requests " + requestCount() + " handler " + handler + (code == null ? "" : " -> " + code)
            + (autoReason == null ? "" : " (auto " + autoReason + ")") + "]";
    }
}
