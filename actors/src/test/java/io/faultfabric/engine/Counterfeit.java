package io.faultfabric.engine;

/**
 * Test only, in the engine's package so that it reaches what only an IOMMU may do to a group: the groups a broken IOMMU
 * would hand out or answer, for the tests that prove the actor fabric's checkers (the engine keeps its own in its tests).
 */
public final class Counterfeit {
    private Counterfeit() {}

    /** A copy of a closed group holding only its first request, without L=1, dispatched as if whole. */
    public static PageRequestGroup prematureCopy(PageRequestGroup g) {
        PageRequestGroup early = new PageRequestGroup(g.iommu(), g.deviceIndex(), g.request(0));
        early.dispatched(g.groupId(), g.handler(), g.ioasid(), g.dispatchedNanos());
        return early;
    }

    /** A response to a stop marker, which must never be answered. */
    public static PageRequestGroup answeredStopMarker(int iommu, int deviceIndex, PageRequest marker, ResponseCode code) {
        if (!marker.isStopMarker()) throw new IllegalArgumentException("not a stop marker: " + marker);
        PageRequestGroup g = new PageRequestGroup(iommu, deviceIndex, marker);
        g.answer(code, null);
        return g;
    }
}
