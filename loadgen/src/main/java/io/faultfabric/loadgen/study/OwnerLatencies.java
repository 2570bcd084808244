package io.faultfabric.loadgen.study;

import io.faultfabric.actors.GroupObserver;
import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.topology.Topology;
import org.HdrHistogram.Histogram;

/**
 * Latency and counts per IOASID owner, recorded by the devices as they accept each response (the same instant and
 * value as the fabric's own histogram). State is kept per device, so each device's actor writes only its own arrays;
 * read it after the fabric has shut down. The owner is the one attached at (RID, PASID) in the topology, whoever
 * handled the group, so DEVICE and OWNER runs are bucketed alike.
 */
final class OwnerLatencies implements GroupObserver {
    private final Topology topology;
    private final Histogram[][] latency;
    private final long[][] byHandler;
    private final long[][] timeouts;
    private final long[][] auto;

    OwnerLatencies(Topology topology) {
        this.topology = topology;
        int d = topology.deviceCount();
        int o = topology.ioasidOwnerCount();
        latency = new Histogram[d][o];
        byHandler = new long[d][o];
        timeouts = new long[d][o];
        auto = new long[d][o];
    }

    @Override
    public void onAnswered(int device, PageRequestGroup g, long latencyMicros) {
        int owner = ownerOf(device, g.rid(), g.pasid());
        if (owner < 0) return;
        Histogram h = latency[device][owner];
        if (h == null) h = latency[device][owner] = new Histogram(3_600_000_000L, 2);
        h.recordValue(Math.min(latencyMicros, h.getHighestTrackableValue()));
        AutoReason r = g.autoReason();
        if (r == null) byHandler[device][owner]++;
        else {
            auto[device][owner]++;
            if (r == AutoReason.TIMEOUT) timeouts[device][owner]++;
        }
    }

    private int ownerOf(int device, int rid, int pasid) {
        int[] rids = topology.deviceRids(device);
        int f = 0;
        while (f < rids.length && rids[f] != rid) f++;
        int i = pasid - topology.pasidOf(device, 0);
        if (f == rids.length || i < 0 || i >= topology.pasidsPerFunction(device)) return -1;
        return topology.ownerOfIoasid(topology.ioasidOf(device, f, i));
    }

    /** The latency of owners {@code from..to-1}, merged over devices. */
    Histogram latency(int from, int to) {
        Histogram all = new Histogram(3_600_000_000L, 2);
        for (Histogram[] perDevice : latency) for (int o = from; o < to; o++) if (perDevice[o] != null) all.add(perDevice[o]);
        return all;
    }

    long answeredByHandler(int owner) { return sum(byHandler, owner); }
    long timeouts(int from, int to) { long n = 0; for (int o = from; o < to; o++) n += sum(timeouts, o); return n; }
    long auto(int from, int to) { long n = 0; for (int o = from; o < to; o++) n += sum(auto, o); return n; }

    private static long sum(long[][] a, int owner) {
        long n = 0;
        for (long[] perDevice : a) n += perDevice[owner];
        return n;
    }
}
