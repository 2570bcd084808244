package io.faultfabric.streams;

import io.faultfabric.actors.Device;
import io.faultfabric.actors.IommuUnit;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.check.Violations;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * The fabric's counters at one moment: every device's and IOMMU unit's ledger merged, latency of
 * answered groups (µs, from intended issue time), groups still outstanding, credits in use, queue
 * depths, and the invariant violations found so far.
 */
public record FabricSnapshot(OutcomeLedger ledger, Histogram latencyMicros, Violations violations, long outstandingGroups,
                             long creditsInUse, int maxQueueDepth, int overflowingUnits, List<Device.Snapshot> devices,
                             List<IommuUnit.Snapshot> iommus) {

    /** Groups completed (answered by a handler or automatically) as the devices saw them. */
    public long completedGroups() { return ledger.groupsCompleted(); }

    public long issuedGroups() { return ledger.groupsIssued; }

    /** Responses that were not delivered because they matched no outstanding group or came from the wrong handler. */
    public long rejectedResponses() { return ledger.responsesRejected(); }
}
