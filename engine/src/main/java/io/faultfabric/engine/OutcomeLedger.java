package io.faultfabric.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ObjLongConsumer;

/**
 * Counts of everything that happened to requests and groups. Each single-threaded component
 * (a device, an IOMMU unit) keeps its own and increments plain fields; totals are merged copies.
 * Device-side fields: issued and received. IOMMU-side fields: queued outcomes and what it sent.
 */
public final class OutcomeLedger {
    // device side
    public long requestsIssued;
    public long groupsIssued;
    public long stopMarkersIssued;
    public final long[] answeredReceived = new long[ResponseCode.values().length];
    public final long[] autoReceived = new long[AutoReason.values().length];
    public long requestsInAnsweredGroups;
    public long unexpectedPrgi;
    public long responsesIgnoredPriDisabled;
    public long priDisabledEvents;
    /** Faulting transactions of stalling devices (SMMUv3 stall model); each is also one group of one request above. */
    public long stallsIssued;
    /** Resumes that reached stalling devices, by {@link StallEventQueue.Resume} (RETRY, ABORT). */
    public final long[] resumesReceived = new long[StallEventQueue.Resume.values().length];
    /** A resume for no transaction the device has stalled (a second resume, or an unknown STAG). */
    public long unexpectedResumes;

    // IOMMU side
    public final long[] dropped = new long[DropReason.values().length];
    public long stopMarkersConsumed;
    public long groupsDispatched;
    public final long[] answeredSent = new long[ResponseCode.values().length];
    public final long[] autoSent = new long[AutoReason.values().length];
    public final long[] rejected = new long[RejectReason.values().length];
    public long overflowEvents;
    public long queueHighWater;
    public long pasidsDrained;
    /** Stalls the SMMU took (each got a STAG); those that found the event queue full, and how long they waited for room. */
    public long stallsTaken;
    public long stallsWaitedForRoom;
    public long stallWaitNanos;
    public long stallWaitMaxNanos;
    public long eventQueueHighWater;
    /** A stream with all 65,536 STAGs outstanding: the transaction could not stall and was aborted. */
    public long stagsExhausted;
    /** CMD_RESUME sent, by {@link StallEventQueue.Resume} (RETRY, ABORT). */
    public final long[] resumesSent = new long[StallEventQueue.Resume.values().length];

    public void merge(OutcomeLedger o) {
        requestsIssued += o.requestsIssued;
        groupsIssued += o.groupsIssued;
        stopMarkersIssued += o.stopMarkersIssued;
        add(answeredReceived, o.answeredReceived);
        add(autoReceived, o.autoReceived);
        requestsInAnsweredGroups += o.requestsInAnsweredGroups;
        unexpectedPrgi += o.unexpectedPrgi;
        responsesIgnoredPriDisabled += o.responsesIgnoredPriDisabled;
        priDisabledEvents += o.priDisabledEvents;
        add(dropped, o.dropped);
        stopMarkersConsumed += o.stopMarkersConsumed;
        groupsDispatched += o.groupsDispatched;
        add(answeredSent, o.answeredSent);
        add(autoSent, o.autoSent);
        add(rejected, o.rejected);
        overflowEvents += o.overflowEvents;
        queueHighWater = Math.max(queueHighWater, o.queueHighWater);
        pasidsDrained += o.pasidsDrained;
        stallsIssued += o.stallsIssued;
        add(resumesReceived, o.resumesReceived);
        unexpectedResumes += o.unexpectedResumes;
        stallsTaken += o.stallsTaken;
        stallsWaitedForRoom += o.stallsWaitedForRoom;
        stallWaitNanos += o.stallWaitNanos;
        stallWaitMaxNanos = Math.max(stallWaitMaxNanos, o.stallWaitMaxNanos);
        eventQueueHighWater = Math.max(eventQueueHighWater, o.eventQueueHighWater);
        stagsExhausted += o.stagsExhausted;
        add(resumesSent, o.resumesSent);
    }

    public OutcomeLedger copy() {
        OutcomeLedger c = new OutcomeLedger();
        c.merge(this);
        return c;
    }

    private static void add(long[] into, long[] from) {
        for (int i = 0; i < into.length; i++) into[i] += from[i];
    }

    private static long sum(long[] a) {
        long s = 0;
        for (long v : a) s += v;
        return s;
    }

    public long groupsAnsweredByHandler() { return sum(answeredReceived); }
    public long groupsAutoAnswered() { return sum(autoReceived); }
    /** Groups whose one response reached the device, by handler or automatically. */
    public long groupsCompleted() { return groupsAnsweredByHandler() + groupsAutoAnswered(); }
    public long requestsDropped() {
        return sum(dropped) - dropped[DropReason.STOP_MARKER_OVERFLOW.ordinal()];
    }
    public long responsesRejected() { return sum(rejected); }
    public long answered(ResponseCode c) { return answeredReceived[c.ordinal()]; }
    public long auto(AutoReason r) { return autoReceived[r.ordinal()]; }
    public long dropped(DropReason r) { return dropped[r.ordinal()]; }
    public long rejected(RejectReason r) { return rejected[r.ordinal()]; }
    /** Resumes stalling devices received with this action. */
    public long resumes(StallEventQueue.Resume a) { return resumesReceived[a.ordinal()]; }
    public long resumesReceived() { return sum(resumesReceived); }
    public long resumesSent() { return sum(resumesSent); }

    /** Groups answered by code, whoever answered: what the devices saw. */
    public long completedWith(ResponseCode c) {
        long n = answeredReceived[c.ordinal()];
        for (AutoReason r : AutoReason.values()) if (r.code() == c) n += autoReceived[r.ordinal()];
        return n;
    }

    /** Outcome counts by name, for reports: codes, automatic reasons, drops and rejections; zeros left out. */
    public Map<String, Long> outcomes() {
        return outcomes(false);
    }

    /** Every name {@link #outcomes()} may use, in its order: what reports and assertions may name. */
    public static List<String> outcomeNames() {
        return List.copyOf(new OutcomeLedger().outcomes(true).keySet());
    }

    private Map<String, Long> outcomes(boolean withZeros) {
        Map<String, Long> m = new LinkedHashMap<>();
        ObjLongConsumer<String> put = (k, v) -> {
            if (withZeros || v != 0) m.put(k, v);
        };
        for (ResponseCode c : ResponseCode.values()) put.accept("answered." + c, answeredReceived[c.ordinal()]);
        for (AutoReason r : AutoReason.values()) put.accept("auto." + r, autoReceived[r.ordinal()]);
        for (DropReason r : DropReason.values()) put.accept("dropped." + r, dropped[r.ordinal()]);
        for (RejectReason r : RejectReason.values()) put.accept("rejected." + r, rejected[r.ordinal()]);
        put.accept("stopMarkers.consumed", stopMarkersConsumed);
        put.accept("device.unexpectedPrgi", unexpectedPrgi);
        put.accept("device.priDisabled", priDisabledEvents);
        put.accept("iommu.overflowEvents", overflowEvents);
        put.accept("stall.issued", stallsIssued);
        for (StallEventQueue.Resume a : StallEventQueue.Resume.values()) put.accept("stall.resume." + a, resumesReceived[a.ordinal()]);
        put.accept("stall.eventQueueFullWaits", stallsWaitedForRoom);
        put.accept("stall.stagsExhausted", stagsExhausted);
        put.accept("device.unexpectedResume", unexpectedResumes);
        return m;
    }

    @Override
    public String toString() {
        return "OutcomeLedger" + outcomes() + " issued=" + groupsIssued + " groups/" + requestsIssued + " requests";
    }
}
