package io.faultfabric.engine;

/**
 * Requests and groups for the tests, and the few package-private levers on {@link PageRequestGroup}
 * that the deliberate-bug tests need (a misrouting or premature router is built from these).
 */
public final class Faults {
    private Faults() {}

    /** A page of a canonical, aligned address: page n is at n * 4 KiB. */
    public static long page(long n) {
        return n * PageAddress.PAGE_SIZE;
    }

    /** A read request with a PASID. */
    public static PageRequest req(int rid, int pasid, int prgi, boolean last) {
        return req(rid, pasid, prgi, last, 0);
    }

    public static PageRequest req(int rid, int pasid, int prgi, boolean last, long sequence) {
        return new PageRequest(rid, pasid, true, prgi, page(prgi + 1), Permissions.READ, last, 0L, sequence);
    }

    public static PageRequest withPerm(int rid, int pasid, int prgi, int perm, boolean last) {
        return new PageRequest(rid, pasid, true, prgi, page(1), perm, last, 0L, 0L);
    }

    public static PageRequest at(int rid, int pasid, int prgi, long address, boolean last) {
        return new PageRequest(rid, pasid, true, prgi, address, Permissions.READ, last, 0L, 0L);
    }

    /** A request without a PASID (RID-level). */
    public static PageRequest noPasid(int rid, int prgi, int perm, boolean last) {
        return new PageRequest(rid, 0, false, prgi, page(1), perm, last, 0L, 0L);
    }

    public static PageRequest stop(int rid, int pasid, int prgi) {
        return PageRequest.stopMarker(rid, pasid, prgi, 0L);
    }

    /** A group assembled from {@code requests} (the last must have L=1) and answered as given: what a device receives. */
    public static PageRequestGroup answered(ResponseCode code, AutoReason reason, PageRequest... requests) {
        PageRequestGroup g = assembled(requests);
        g.answer(reason == null ? code : reason.code(), reason);
        return g;
    }

    /** A group assembled from {@code requests}, not answered, not dispatched. */
    public static PageRequestGroup assembled(PageRequest... requests) {
        PageRequestGroup g = new PageRequestGroup(0, 0, requests[0]);
        for (int i = 1; i < requests.length; i++) g.append(requests[i]);
        return g;
    }

    /** A group with its dispatch fields set, as a router hands it over. */
    public static PageRequestGroup dispatchedTo(int handler, int ioasid, PageRequest... requests) {
        PageRequestGroup g = assembled(requests);
        g.dispatched(1, handler, ioasid, 0L);
        return g;
    }

    /** A broken router: the group (still the IOMMU's outstanding instance) now names another handler and IOASID. */
    public static void reroute(PageRequestGroup g, int handler, int ioasid) {
        g.dispatched(g.groupId(), handler, ioasid, g.dispatchedNanos());
    }

    /** A broken router: a copy of a closed group holding only its first request, without L=1, dispatched as if whole. */
    public static PageRequestGroup prematureCopy(PageRequestGroup g) {
        PageRequestGroup early = new PageRequestGroup(g.iommu(), g.deviceIndex(), g.request(0));
        early.dispatched(g.groupId(), g.handler(), g.ioasid(), g.dispatchedNanos());
        return early;
    }
}
