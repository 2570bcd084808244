package io.faultfabric.engine;

/** The remapping unit's kind decides its queue's overflow rule and how software codes map to the hardware. */
public enum IommuKind {
    /** Intel VT-d: PRQ overflow sets PRO; new requests dropped until the ring is empty, then every partial group is discarded. */
    VTD(2048, 1 << 15),
    /** Arm SMMUv3 PRI queue: on overflow the SMMU answers L=1 Success itself and ignores L=0 until software acknowledges. */
    SMMUV3(2048, 1 << 19),
    /** RISC-V IOMMU: queue full, overflow flag, request discarded, automatic Success to L=1. */
    RISCV(2048, 1 << 20);

    private final int defaultDepth;
    private final int maxDepth;

    IommuKind(int defaultDepth, int maxDepth) {
        this.defaultDepth = defaultDepth;
        this.maxDepth = maxDepth;
    }

    public int defaultQueueDepth() { return defaultDepth; }

    public int maxQueueDepth() { return maxDepth; }

    public int checkDepth(int depth, String argument) {
        if (depth < 1 || depth > maxDepth) {
            throw new IllegalArgumentException(argument + " must be 1.." + maxDepth + " for " + name() + ", was " + depth);
        }
        return depth;
    }
}
