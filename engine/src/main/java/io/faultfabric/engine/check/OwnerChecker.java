package io.faultfabric.engine.check;

import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.RoutingMode;

/** Checks, where a handler receives a group, invariants 4 (only after L=1) and 5 (only the attached owner). */
public final class OwnerChecker {
    /** Who may legitimately receive a group: the topology's view, independent of the router. */
    public interface Ownership {
        int ownerOfIoasid(int ioasid);

        int ownerOfDevice(int rid);
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
            violations.record(Invariant.DISPATCH_AFTER_LAST, "owner " + owner + " was handed an unclosed group " + g);
        }
        int expected = mode == RoutingMode.OWNER ? ownership.ownerOfIoasid(g.ioasid()) : ownership.ownerOfDevice(g.rid());
        if (expected != owner) {
            violations.record(Invariant.ROUTED_TO_ATTACHED_OWNER, "owner " + owner + " received " + g + " which belongs to owner " + expected);
        }
    }
}
