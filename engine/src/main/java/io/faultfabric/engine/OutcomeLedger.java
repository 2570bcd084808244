package io.faultfabric.engine;

import java.util.LinkedHashMap;
import java.util.Map;

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

    /** Groups answered by code, whoever answered: what the devices saw. */
    public long completedWith(ResponseCode c) {
        long n = answeredReceived[c.ordinal()];
        for (AutoReason r : AutoReason.values()) if (r.code() == c) n += autoReceived[r.ordinal()];
        return n;
    }

    /** Outcome counts by name, for reports: codes, automatic reasons, drops and rejections; zeros left out. */
    public Map<String, Long> outcomes() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (ResponseCode c : ResponseCode.values()) put(m, "answered." + c, answeredReceived[c.ordinal()]);
        for (AutoReason r : AutoReason.values()) put(m, "auto." + r, autoReceived[r.ordinal()]);
        for (DropReason r : DropReason.values()) put(m, "dropped." + r, dropped[r.ordinal()]);
        for (RejectReason r : RejectReason.values()) put(m, "rejected." + r, rejected[r.ordinal()]);
        put(m, "stopMarkers.consumed", stopMarkersConsumed);
        put(m, "device.unexpectedPrgi", unexpectedPrgi);
        put(m, "device.priDisabled", priDisabledEvents);
        put(m, "iommu.overflowEvents", overflowEvents);
        return m;
    }

    private static void put(Map<String, Long> m, String k, long v) {
        if (v != 0) m.put(k, v);
    }

    @Override
    public String toString() {
        return "OutcomeLedger" + outcomes() + " issued=" + groupsIssued + " groups/" + requestsIssued + " requests";
    }
}
