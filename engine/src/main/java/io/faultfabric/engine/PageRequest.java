package io.faultfabric.engine;

/**
 * One PCIe page request (PRI) as the device sends it. Raw ints keep the hot path free of
 * boxing; every field is range-checked once, here.
 *
 * @param issuedNanos the intended issue time (open-model latency is measured from it)
 * @param sequence    the device's running number of the group this request belongs to
 */
public record PageRequest(int rid, int pasid, boolean pasidPresent, int prgi, long address, int perm,
                          boolean last, long issuedNanos, long sequence) {

    public PageRequest {
        Rid.check(rid, "rid");
        if (pasidPresent) Pasid.check(pasid, "pasid");
        else if (pasid != 0) throw new IllegalArgumentException("pasid must be 0 when pasidPresent is false, was " + pasid);
        Prgi.check(prgi, "prgi");
        PageAddress.check(address, "address");
        Permissions.check(perm, "perm");
    }

    public static PageRequest of(Rid rid, Pasid pasid, Prgi prgi, long address, int perm, boolean last) {
        return new PageRequest(rid.value(), pasid.value(), true, prgi.value(), address, perm, last, 0L, 0L);
    }

    /** A stop marker: with a PASID, L=1 and R=W=0. Never answered, takes no credit. */
    public static PageRequest stopMarker(int rid, int pasid, int prgi, long issuedNanos) {
        return new PageRequest(rid, pasid, true, prgi, 0L, 0, true, issuedNanos, -1L);
    }

    public boolean isStopMarker() {
        return pasidPresent && last && !Permissions.readsOrWrites(perm);
    }

    @Override
    public String toString() {
        return "PageRequest[" + new Rid(rid) + (pasidPresent ? " pasid=" + pasid : " no-pasid") + " prgi=" + prgi
            + " addr=0x" + Long.toHexString(address) + " " + Permissions.toString(perm) + (last ? " L" : "")
            + (isStopMarker() ? " STOP" : "") + "]";
    }
}
