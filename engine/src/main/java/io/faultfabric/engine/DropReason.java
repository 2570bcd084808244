package io.faultfabric.engine;

/** Why a request was dropped without a response of its own. L=1 requests are never dropped: they are auto-answered. */
public enum DropReason {
    /** VT-d: PRO set, the request (L=0) was not queued. */
    PRQ_OVERFLOW,
    /** SMMUv3/RISC-V: queue overflow, the L=0 request is silently ignored. */
    PRIQ_OVERFLOW,
    /** A stop marker that arrived while the queue overflowed. */
    STOP_MARKER_OVERFLOW,
    /** A malformed L=0 request (VT-d drops it silently). */
    MALFORMED,
    /** A partial group freed without an answer: VT-d PRO clearing, device reset or removal, or its group answered by the hardware on overflow. */
    PARTIAL_DISCARDED,
    /** A request of a device whose PRI is disabled (after Response Failure): the IOMMU never sees it. */
    PRI_DISABLED,
    /** An L=0 request queued or assembled when its IOMMU unit was reset: the reset discards queue and partial groups. */
    IOMMU_RESTART
}
