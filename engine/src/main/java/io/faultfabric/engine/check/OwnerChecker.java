package io.faultfabric.engine.check;

import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.RoutingTable;

/** Checks, where a handler receives a group, invariants 4 (only after L=1) and 5 (only the attached owner). */
public final class OwnerChecker {
    /** Who may legitimately receive a group: the topology's view, independent of the router. */
    public interface Ownership {
        int ownerOfIoasid(int ioasid);

        int ownerOfDevice(int rid);

        /**
         * The IOASID attached at (RID, PASID) ({@link RoutingTable#NO_PASID} for a request without PASID), or -1 when
         * this view does not know. When it knows, a group that carries another IOASID was routed by the wrong entry,
         * even if it went to that entry's owner.
         */
        default int ioasidAttachedAt(int rid, int pasid) { return -1; }
    }

    private final RoutingMode mode;
    private final Ownership ownership;
    private final Violations violations;

    public OwnerChecker(RoutingMode mode, Ownership ownership, Violations violations) {
        this.mode = mode;
        this.ownership = ownership;
        this.violations = violations;
    }

    public void onReceived(int owner, PageRequestGroup g) {
        if (g.lastRequest() == null || !g.lastRequest().last()) {
            violations.record(Invariant.DISPATCH_AFTER_LAST, "owner " + owner + " was handed an unclosed group " + g + " " + g.history());
        }
        int attached = ownership.ioasidAttachedAt(g.rid(), g.pasidPresent() ? g.pasid() : RoutingTable.NO_PASID);
        if (attached >= 0 && attached != g.ioasid()) {
            violations.record(Invariant.ROUTED_TO_ATTACHED_OWNER, "owner " + owner + " received " + g + " routed by ioasid "
                + g.ioasid() + " but ioasid " + attached + " is attached at its (RID, PASID) " + g.history());
            return;
        }
        int expected = mode == RoutingMode.OWNER ? ownership.ownerOfIoasid(g.ioasid()) : ownership.ownerOfDevice(g.rid());
        if (expected != owner) {
            violations.record(Invariant.ROUTED_TO_ATTACHED_OWNER, "owner " + owner + " received " + g + " which belongs to owner " + expected
                + " " + g.history());
        }
    }
}
