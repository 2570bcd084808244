package io.faultfabric.actors;

import java.util.concurrent.atomic.LongAdder;

/**
 * Fabric-wide counts of what owners and vIOMMUs did that the IOMMUs' ledgers cannot see: uAPI
 * refusals, overflows of the owners' own queues, guest answers that found nothing. Shared by every
 * owner through {@link FabricContext}, so an owner needs no counter of its own; the events are rare,
 * and {@link LongAdder} keeps the owners on many threads from contending.
 */
public final class OwnerCounters {
    final LongAdder ownerQueueFull = new LongAdder();
    final LongAdder handlerFailed = new LongAdder();
    final LongAdder failureWritesRefused = new LongAdder();
    final LongAdder unknownCookieWrites = new LongAdder();
    final LongAdder virtualQueueFull = new LongAdder();
    final LongAdder detachedDropped = new LongAdder();
    final LongAdder withdrawnDropped = new LongAdder();
    final LongAdder ownerFailures = new LongAdder();
    final LongAdder unmatchedGuestResponses = new LongAdder();

    /**
     * A copy of the counts.
     *
     * @param ownerQueueFull          groups answered OWNER_QUEUE_FULL (an owner's queue or a device owner's ring was full)
     * @param handlerFailed           groups whose host (SVA) handler failed: answered Response Failure
     * @param failureWritesRefused    writes of Failure to an iommufd fault fd, refused with EINVAL (the group stays pending)
     * @param unknownCookieWrites     writes to a fault fd naming a cookie not handed out (EINVAL)
     * @param virtualQueueFull        groups a vIOMMU refused because the guest's queue was full or overflowing
     * @param detachedDropped         groups an owner dropped because their address space was detached
     * @param ownerFailures           owner actors that failed (restarted or stopped) and had their groups answered
     * @param unmatchedGuestResponses guest page group responses that matched no injected group
     * @param withdrawnDropped        groups an owner dropped because the IOMMU answered them itself (timeout, device reset)
     */
    public record Totals(long ownerQueueFull, long handlerFailed, long failureWritesRefused, long unknownCookieWrites,
                         long virtualQueueFull, long detachedDropped, long ownerFailures, long unmatchedGuestResponses,
                         long withdrawnDropped) {}

    public Totals totals() {
        return new Totals(ownerQueueFull.sum(), handlerFailed.sum(), failureWritesRefused.sum(), unknownCookieWrites.sum(),
            virtualQueueFull.sum(), detachedDropped.sum(), ownerFailures.sum(), unmatchedGuestResponses.sum(), withdrawnDropped.sum());
    }
}
