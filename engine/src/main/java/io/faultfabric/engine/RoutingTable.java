package io.faultfabric.engine;

import java.util.function.IntUnaryOperator;

/**
 * The PASID table of one IOMMU unit: (RID, PASID) -> IOASID, with the state that keeps a PASID
 * from being reused before it is drained. The owner of an IOASID comes from the topology.
 */
public final class RoutingTable {
    /** Value of a (RID, PASID) that was detached and is waiting for its drain. */
    static final int DRAINING = -1;

    private final LongIntMap entries;
    private final IntUnaryOperator ownerOfIoasid;
    private int draining;

    public RoutingTable(int expectedEntries, IntUnaryOperator ownerOfIoasid) {
        this.entries = new LongIntMap(Math.max(16, expectedEntries));
        this.ownerOfIoasid = ownerOfIoasid;
    }

    /** The PASID value under which a RID-level attachment (requests without a PASID) is kept. */
    public static final int NO_PASID = 1 << 20;

    static long key(int rid, int pasid) {
        return ((long) rid << 21) | pasid;
    }

    /** The IOASID attached at (RID, PASID), or -1 when none is. */
    public int ioasidAt(int rid, int pasid) {
        int v = entries.get(key(rid, pasid));
        return v >= 0 ? v : -1;
    }

    public boolean isDraining(int rid, int pasid) {
        return entries.get(key(rid, pasid)) == DRAINING;
    }

    public int ownerOf(int ioasid) {
        return ownerOfIoasid.applyAsInt(ioasid);
    }

    public void attach(int rid, int pasid, int ioasid) {
        Rid.check(rid, "rid");
        checkPasid(pasid);
        IoasidId.check(ioasid, "ioasid");
        int v = entries.get(key(rid, pasid));
        if (v == DRAINING) {
            throw new IllegalStateException("pasid " + pasid + " of rid " + new Rid(rid)
                + " is still draining after its detach; it may be attached again once its queue is drained");
        }
        if (v >= 0) {
            throw new IllegalStateException("pasid " + pasid + " of rid " + new Rid(rid) + " is already attached to ioasid " + v
                + "; detach it first or use replace");
        }
        entries.put(key(rid, pasid), ioasid);
    }

    /** Switches the page table at an attached (RID, PASID); returns the old IOASID. */
    public int replace(int rid, int pasid, int ioasid) {
        IoasidId.check(ioasid, "ioasid");
        int old = requireAttached(rid, pasid);
        entries.put(key(rid, pasid), ioasid);
        return old;
    }

    /** Detaches and marks the PASID draining; returns the old IOASID. */
    public int detach(int rid, int pasid) {
        int old = requireAttached(rid, pasid);
        entries.put(key(rid, pasid), DRAINING);
        draining++;
        return old;
    }

    /** The drain finished: the PASID may be attached again. */
    public void freeDrained(int rid, int pasid) {
        if (entries.get(key(rid, pasid)) != DRAINING) {
            throw new IllegalStateException("pasid " + pasid + " of rid " + new Rid(rid) + " is not draining");
        }
        entries.remove(key(rid, pasid));
        draining--;
    }

    public int drainingCount() { return draining; }

    public void forEachDraining(LongIntMap.Visitor v) {
        if (draining == 0) return;
        entries.forEach((k, value) -> { if (value == DRAINING) v.visit(k, value); });
    }

    public int size() { return entries.size(); }

    private static void checkPasid(int pasid) {
        if (pasid != NO_PASID) Pasid.check(pasid, "pasid");
    }

    private int requireAttached(int rid, int pasid) {
        Rid.check(rid, "rid");
        checkPasid(pasid);
        int v = entries.get(key(rid, pasid));
        if (v < 0) {
            throw new IllegalStateException("pasid " + pasid + " of rid " + new Rid(rid) + " is not attached"
                + (v == DRAINING ? " (it is draining)" : ""));
        }
        return v;
    }
}
