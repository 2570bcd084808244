package io.faultfabric.engine;

/** Why a group was answered by the fabric rather than by its handler, and the code the real system sends then. */
public enum AutoReason {
    /** No handler attached at (RID, PASID) (Linux: Invalid). */
    NO_HANDLER(ResponseCode.INVALID),
    /** The IOMMU's own queue overflowed; the hardware answers L=1 requests Success with nothing mapped. */
    QUEUE_OVERFLOW(ResponseCode.SUCCESS),
    /** Unknown RID, non-canonical address or bad permissions on the last request (VT-d: Invalid). */
    MALFORMED(ResponseCode.INVALID),
    /** The handler did not answer within the response timeout. */
    TIMEOUT(ResponseCode.INVALID),
    /** The address space was detached from (RID, PASID) while the group was pending. */
    DETACHED(ResponseCode.INVALID),
    /** The page table at (RID, PASID) was replaced: the old owner's pending groups. */
    REPLACED(ResponseCode.INVALID),
    /** The device was reset or removed from its fault queue. */
    DEVICE_RESET(ResponseCode.INVALID),
    /** The handler failed (crashed) or the group could not be allocated (Linux: Response Failure). */
    HANDLER_FAILED(ResponseCode.RESPONSE_FAILURE),
    /** The owner's own bounded fault queue was full: the group cannot be queued (Linux: Response Failure). */
    OWNER_QUEUE_FULL(ResponseCode.RESPONSE_FAILURE),
    /** The guest's virtual page request queue was full: the VMM sets the guest's PRO and refuses (Success, as on overflow). */
    VIRTUAL_QUEUE_FULL(ResponseCode.SUCCESS),
    /** The fault object or the fabric was torn down with the group still pending. */
    SHUTDOWN(ResponseCode.INVALID),
    /** The IOMMU unit was reset (driver reload, error recovery): what it had pending or queued with L=1 is answered. */
    IOMMU_RESTART(ResponseCode.INVALID),
    /** The node hosting the handler became unreachable. */
    NODE_DOWN(ResponseCode.INVALID),
    /** SMMUv3 stall model: every 65,536 STAGs of the stream are outstanding, so the transaction cannot stall: aborted. */
    STAGS_EXHAUSTED(ResponseCode.INVALID);

    private final ResponseCode code;

    AutoReason(ResponseCode code) { this.code = code; }

    public ResponseCode code() { return code; }
}
