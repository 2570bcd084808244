package io.faultfabric.engine;

/** Why a response was rejected and not delivered to the device. */
public enum RejectReason {
    /** It names no outstanding group (unknown PRGI, or already answered). */
    NO_OUTSTANDING_GROUP,
    /** An outstanding group has that PRGI but another PASID. */
    PASID_MISMATCH,
    /** It comes from an actor that is not the group's current handler. */
    WRONG_HANDLER,
    /** The PRGI is outstanding again, but as a newer group than the one this answers. */
    STALE_GROUP,
    /** A code the answering owner kind may not send (e.g. Failure through the iommufd uAPI). */
    CODE_NOT_ALLOWED,
    /** An iommufd cookie that is not handed out (EINVAL). */
    UNKNOWN_COOKIE,
    /** The RID is not a device of this IOMMU. */
    UNKNOWN_DEVICE,
    /**
     * SMMUv3 stall model: a CMD_RESUME naming a STAG with no stall reported to software (never stalled, still on the event
     * queue, or already resumed: a second resume). The SMMU ignores it; the transaction is not touched.
     */
    UNKNOWN_STAG
}
