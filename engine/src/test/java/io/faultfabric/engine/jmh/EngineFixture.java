package io.faultfabric.engine.jmh;

import io.faultfabric.engine.IommuCore;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.IommuOutput;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.RoutingTable;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;

import java.util.ArrayDeque;
import java.util.List;

/** The benchmarks' topology (the bench's shape: 4 VT-d units x 64 devices, allocation 64) and one unit's core built from it. */
final class EngineFixture {
    private EngineFixture() {}

    static Topology topology(int pasids) {
        return new UniformTopology(4, IommuKind.VTD, 2048, 64, 0, pasids, 64, 1, UniformTopology.Assignment.CONTIGUOUS,
            List.of(OwnerKind.HOST_SVA), 0, 512, RoutingMode.OWNER).build();
    }

    /** A core output that keeps what is dispatched, to be answered, and forgets what is responded. */
    static final class Capture implements IommuOutput {
        final ArrayDeque<PageRequestGroup> dispatched = new ArrayDeque<>();
        long responded;

        @Override public void dispatch(PageRequestGroup g) { dispatched.add(g); }

        @Override public void respond(PageRequestGroup g) { responded++; }
    }

    /** IOMMU unit 0 of {@code t}, with its PASID table filled as the fabric fills it. */
    static IommuCore core(Topology t, IommuOutput out) {
        int[] rids = t.iommuRids(0);
        int[] owners = new int[rids.length];
        int expected = 0;
        for (int k = 0; k < rids.length; k++) {
            int d = t.deviceOfRid(rids[k]);
            owners[k] = t.deviceOwnerOf(d);
            expected += t.pasidsPerFunction(d);
        }
        IommuCore core = new IommuCore(0, IommuKind.VTD, 2048, RoutingMode.OWNER, rids, owners,
            new RoutingTable(expected, t::ownerOfIoasid), out);
        for (int d = 0; d < t.deviceCount(); d++) {
            if (t.deviceIommu(d) != 0) continue;
            int[] fr = t.deviceRids(d);
            for (int f = 0; f < fr.length; f++) {
                for (int i = 0; i < t.pasidsPerFunction(d); i++) core.attach(fr[f], t.pasidOf(d, i), t.ioasidOf(d, f, i));
            }
        }
        return core;
    }
}
