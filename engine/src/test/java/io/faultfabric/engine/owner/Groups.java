package io.faultfabric.engine.owner;

import io.faultfabric.engine.IommuCore;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.IommuOutput;
import io.faultfabric.engine.PageAddress;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.Permissions;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.RoutingTable;

import java.util.ArrayList;
import java.util.List;

/**
 * Makes dispatched page request groups the way the fabric does, through an {@link IommuCore}: groups are
 * only built by the IOMMU. Each group is answered at once so that its PRGI is free again; the group object
 * keeps its identity (RID, PASID, PRGI, requests), which is all the owner-side queues look at.
 */
final class Groups {
    static final int RID_A = 0x100;
    static final int RID_B = 0x101;

    private final IommuCore core;
    private final List<PageRequestGroup> dispatched = new ArrayList<>();
    private long sequence;

    Groups() {
        this(IommuKind.VTD);
    }

    Groups(IommuKind kind) {
        RoutingTable table = new RoutingTable(64, ioasid -> 0);
        core = new IommuCore(0, kind, 2048, RoutingMode.OWNER, new int[] {RID_A, RID_B}, new int[] {-1, -1}, table, new IommuOutput() {
            @Override public void dispatch(PageRequestGroup g) { dispatched.add(g); }
            @Override public void respond(PageRequestGroup g) {}
        });
        for (int pasid = 0; pasid < 16; pasid++) {
            core.attach(RID_A, pasid, pasid);
            core.attach(RID_B, pasid, 16 + pasid);
        }
        core.attach(RID_A, RoutingTable.NO_PASID, 40);
    }

    /** A group of {@code requests} page requests of (rid, pasid, prgi); pages are consecutive from {@code 0x1000 * (prgi + 1)}. */
    PageRequestGroup group(int rid, int pasid, int prgi, int requests) {
        long seq = sequence++;
        for (int i = 0; i < requests; i++) {
            long addr = (0x1000L * (prgi + 1)) + i * PageAddress.PAGE_SIZE * 1024;
            core.offer(new PageRequest(rid, pasid, true, prgi, addr, i % 2 == 0 ? Permissions.READ : Permissions.READ | Permissions.WRITE,
                i == requests - 1, 0L, seq), 0L);
        }
        return drainOne();
    }

    /** A one-request group without a PASID (a RID-level fault). */
    PageRequestGroup groupWithoutPasid(int prgi) {
        core.offer(new PageRequest(RID_A, 0, false, prgi, 0x5000L, Permissions.WRITE, true, 0L, sequence++), 0L);
        return drainOne();
    }

    PageRequestGroup group(int pasid, int prgi) {
        return group(RID_A, pasid, prgi, 1);
    }

    private PageRequestGroup drainOne() {
        core.drain(Integer.MAX_VALUE, 0L);
        if (dispatched.size() != 1) throw new IllegalStateException("expected one dispatched group, got " + dispatched);
        PageRequestGroup g = dispatched.remove(0);
        core.respond(g, 0, ResponseCode.SUCCESS); // frees the PRGI for the next group; the object keeps its identity
        return g;
    }
}
