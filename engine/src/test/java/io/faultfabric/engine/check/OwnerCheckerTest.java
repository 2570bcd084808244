package io.faultfabric.engine.check;

import io.faultfabric.engine.Faults;
import io.faultfabric.engine.RoutingMode;
import org.junit.jupiter.api.Test;

import static io.faultfabric.engine.Faults.req;
import static org.assertj.core.api.Assertions.assertThat;

class OwnerCheckerTest {
    /** IOASID i belongs to owner 100 + i; the function with RID r belongs to device owner 900 + (r & 0xFF). */
    private static final OwnerChecker.Ownership OWNERSHIP = new OwnerChecker.Ownership() {
        @Override public int ownerOfIoasid(int ioasid) { return 100 + ioasid; }
        @Override public int ownerOfDevice(int rid) { return 900 + (rid & 0xFF); }
    };

    private final Violations v = new Violations();

    @Test
    void theAttachedOwnerReceivingAClosedGroupIsClean() {
        new OwnerChecker(RoutingMode.OWNER, OWNERSHIP, v).onReceived(105, Faults.dispatchedTo(105, 5, req(0x100, 1, 1, false), req(0x100, 1, 1, true)));
        new OwnerChecker(RoutingMode.DEVICE, OWNERSHIP, v).onReceived(901, Faults.dispatchedTo(901, 5, req(0x101, 1, 1, true)));
        assertThat(v.none()).as(v.toString()).isTrue();
    }

    @Test
    void anotherOwnerReceivingIsCaught() {
        new OwnerChecker(RoutingMode.OWNER, OWNERSHIP, v).onReceived(106, Faults.dispatchedTo(106, 5, req(0x100, 1, 1, true)));
        assertThat(v.count(Invariant.ROUTED_TO_ATTACHED_OWNER)).isEqualTo(1);
        // in DEVICE mode the address space's owner is the wrong receiver
        new OwnerChecker(RoutingMode.DEVICE, OWNERSHIP, v).onReceived(105, Faults.dispatchedTo(105, 5, req(0x100, 1, 1, true)));
        assertThat(v.count(Invariant.ROUTED_TO_ATTACHED_OWNER)).isEqualTo(2);
        assertThat(v.total()).isEqualTo(2);
    }

    @Test
    void aGroupRoutedByAnotherPasidsEntryIsCaughtEvenAtThatEntrysOwner() {
        // (0x100, PASID 1) has IOASID 5 attached; the group says 6 and went to 6's owner
        OwnerChecker.Ownership withTable = new OwnerChecker.Ownership() {
            @Override public int ownerOfIoasid(int ioasid) { return OWNERSHIP.ownerOfIoasid(ioasid); }
            @Override public int ownerOfDevice(int rid) { return OWNERSHIP.ownerOfDevice(rid); }
            @Override public int ioasidAttachedAt(int rid, int pasid) { return rid == 0x100 && pasid == 1 ? 5 : -1; }
        };
        new OwnerChecker(RoutingMode.OWNER, OWNERSHIP, v).onReceived(106, Faults.dispatchedTo(106, 6, req(0x100, 1, 1, true)));
        assertThat(v.none()).as("without a table the checker cannot tell").isTrue();
        new OwnerChecker(RoutingMode.OWNER, withTable, v).onReceived(106, Faults.dispatchedTo(106, 6, req(0x100, 1, 1, true)));
        assertThat(v.count(Invariant.ROUTED_TO_ATTACHED_OWNER)).isEqualTo(1);
        assertThat(v.examples(Invariant.ROUTED_TO_ATTACHED_OWNER).get(0)).contains("ioasid 5 is attached");
        new OwnerChecker(RoutingMode.OWNER, withTable, v).onReceived(105, Faults.dispatchedTo(105, 5, req(0x100, 1, 1, true)));
        assertThat(v.total()).isEqualTo(1);
    }

    @Test
    void anUnclosedGroupIsCaught() {
        new OwnerChecker(RoutingMode.OWNER, OWNERSHIP, v).onReceived(105, Faults.dispatchedTo(105, 5, req(0x100, 1, 1, false)));
        assertThat(v.count(Invariant.DISPATCH_AFTER_LAST)).isEqualTo(1);
        assertThat(v.total()).isEqualTo(1);
    }
}
