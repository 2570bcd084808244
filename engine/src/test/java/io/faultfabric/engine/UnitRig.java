package io.faultfabric.engine;

/**
 * One IOMMU unit on its own, driven by hand: the owner of IOASID {@code i} is {@code OWNER_BASE + i};
 * the device owner of the function at position {@code k} is {@code DEVICE_OWNER_BASE + k}.
 */
public final class UnitRig {
    public static final int OWNER_BASE = 100;
    public static final int DEVICE_OWNER_BASE = 900;

    public final Recorder out = new Recorder();
    public final IommuCore core;
    public long now;

    public UnitRig(IommuKind kind, int depth, RoutingMode mode, int... rids) {
        int[] deviceOwners = new int[rids.length];
        for (int k = 0; k < rids.length; k++) deviceOwners[k] = DEVICE_OWNER_BASE + k;
        core = new IommuCore(0, kind, depth, mode, rids, deviceOwners, new RoutingTable(16, io -> OWNER_BASE + io), out);
    }

    public static UnitRig vtd(int depth, int... rids) { return new UnitRig(IommuKind.VTD, depth, RoutingMode.OWNER, rids); }

    public UnitRig attach(int rid, int pasid, int ioasid) {
        core.attach(rid, pasid, ioasid);
        return this;
    }

    /** Offers the requests in order without draining. */
    public UnitRig offer(PageRequest... requests) {
        for (PageRequest r : requests) core.offer(r, now);
        return this;
    }

    /** Offers and then drains everything. */
    public UnitRig send(PageRequest... requests) {
        offer(requests);
        drainAll();
        return this;
    }

    public int drainAll() {
        return core.drain(Integer.MAX_VALUE, now);
    }

    public RejectReason answer(PageRequestGroup g, ResponseCode code) {
        return core.respond(g, g.handler(), code);
    }
}
