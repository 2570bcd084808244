package io.faultfabric.engine.topology;

import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.Pasid;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.StallEventQueue;

import java.util.List;
import java.util.Objects;

/**
 * The regular topologies that scenarios describe: N IOMMU units of one kind, D devices behind each,
 * F functions per device, P PASIDs in total spread evenly over the functions, and owners that hold
 * K IOASIDs each, of kinds taken in turn from a mix.
 *
 * @param pasids          PASIDs in total across the topology (each its own IOASID)
 * @param ioasidsPerOwner how many IOASIDs one owner holds (1: every PASID its own owner)
 * @param assignment      CONTIGUOUS: an owner's IOASIDs are neighbours (same device); STRIDED: spread over devices
 * @param stallingDevicesPerIommu how many of each unit's devices (its first ones) are stalling platform devices (SMMUv3
 *                        stall model) rather than PRI devices: 0 (all PRI) .. devicesPerIommu; more than 0 needs SMMUV3
 *                        and no VFs (a platform device has none, and every function binds as many PASIDs)
 * @param stallLimit      the most transactions a stalling device has stalled at once, 1..65536 (a STAG is 16 bits)
 * @param eventQueueDepth each unit's event queue, where stalls are reported: 1..2^19 records
 */
public record UniformTopology(int iommus, IommuKind kind, int queueDepth, int devicesPerIommu, int vfsPerDevice,
                              int pasids, int allocation, int ioasidsPerOwner, Assignment assignment,
                              List<OwnerKind> ownerKinds, int viommus, int viommuQueueDepth, RoutingMode mode,
                              int stallingDevicesPerIommu, int stallLimit, int eventQueueDepth) {

    /** The stall limit of a topology that does not name one. */
    public static final int DEFAULT_STALL_LIMIT = 32;

    /** A topology of PRI devices only. */
    public UniformTopology(int iommus, IommuKind kind, int queueDepth, int devicesPerIommu, int vfsPerDevice,
                           int pasids, int allocation, int ioasidsPerOwner, Assignment assignment,
                           List<OwnerKind> ownerKinds, int viommus, int viommuQueueDepth, RoutingMode mode) {
        this(iommus, kind, queueDepth, devicesPerIommu, vfsPerDevice, pasids, allocation, ioasidsPerOwner, assignment, ownerKinds,
            viommus, viommuQueueDepth, mode, 0, DEFAULT_STALL_LIMIT, Math.min(Math.max(queueDepth, 1), StallEventQueue.MAX_CAPACITY));
    }

    public enum Assignment { CONTIGUOUS, STRIDED }

    public UniformTopology {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(assignment, "assignment");
        Objects.requireNonNull(mode, "mode");
        ownerKinds = List.copyOf(Objects.requireNonNull(ownerKinds, "ownerKinds"));
        positive(iommus, "iommus");
        positive(devicesPerIommu, "devicesPerIommu");
        positive(allocation, "allocation");
        positive(ioasidsPerOwner, "ioasidsPerOwner");
        positive(pasids, "pasids");
        kind.checkDepth(queueDepth, "queueDepth");
        if (vfsPerDevice < 0 || vfsPerDevice > 255) throw new IllegalArgumentException("vfsPerDevice must be 0..255, was " + vfsPerDevice);
        if (ownerKinds.isEmpty()) throw new IllegalArgumentException("ownerKinds must name at least one kind");
        // in long: 65536 x 65536 functions would wrap an int to 0
        long functions = (long) iommus * devicesPerIommu * (vfsPerDevice + 1);
        if (functions > 0xFF00) throw new IllegalArgumentException("iommus x devicesPerIommu x (vfsPerDevice+1) = " + functions + " functions do not fit in 16-bit RIDs above bus 0 (max 65280)");
        if (pasids % functions != 0) {
            throw new IllegalArgumentException("pasids (" + pasids + ") must be a multiple of the number of functions (" + functions + ") so that each gets the same number");
        }
        if (pasids / functions > Pasid.COUNT) throw new IllegalArgumentException("pasids per function must be <= 2^20, was " + pasids / functions);
        if (pasids % ioasidsPerOwner != 0) throw new IllegalArgumentException("pasids (" + pasids + ") must be a multiple of ioasidsPerOwner (" + ioasidsPerOwner + ")");
        boolean guests = ownerKinds.contains(OwnerKind.GUEST);
        if (guests && viommus < 1) throw new IllegalArgumentException("viommus must be >= 1 when ownerKinds includes GUEST, was " + viommus);
        if (viommus < 0) throw new IllegalArgumentException("viommus must be >= 0, was " + viommus);
        if (stallingDevicesPerIommu < 0 || stallingDevicesPerIommu > devicesPerIommu) {
            throw new IllegalArgumentException("stallingDevicesPerIommu must be 0..devicesPerIommu (" + devicesPerIommu + "), was " + stallingDevicesPerIommu);
        }
        if (stallingDevicesPerIommu > 0 && kind != IommuKind.SMMUV3) {
            throw new IllegalArgumentException("stallingDevicesPerIommu must be 0 unless kind is SMMUV3: stalling devices are platform devices"
                + " behind an SMMUv3 (its stall model), and kind is " + kind);
        }
        if (stallingDevicesPerIommu > 0 && vfsPerDevice != 0) {
            throw new IllegalArgumentException("vfsPerDevice must be 0 when stallingDevicesPerIommu > 0: a stalling platform device has no VFs,"
                + " and every function binds as many PASIDs; was " + vfsPerDevice);
        }
        if (stallLimit < 1 || stallLimit > StallEventQueue.STAGS) {
            throw new IllegalArgumentException("stallLimit must be 1..65536 (a STAG is 16 bits), was " + stallLimit);
        }
        if (eventQueueDepth < 1 || eventQueueDepth > StallEventQueue.MAX_CAPACITY) {
            throw new IllegalArgumentException("eventQueueDepth must be 1..2^19 (524288), was " + eventQueueDepth);
        }
    }

    private static void positive(int v, String name) {
        if (v < 1) throw new IllegalArgumentException(name + " must be >= 1, was " + v);
    }

    /** A small default: 1 VT-d unit, 4 devices, 64 PASIDs, one host process per PASID. */
    public static UniformTopology small() {
        return new UniformTopology(1, IommuKind.VTD, 2048, 4, 0, 64, 32, 1, Assignment.CONTIGUOUS,
            List.of(OwnerKind.HOST_SVA), 0, 512, RoutingMode.OWNER);
    }

    public int functions() { return iommus * devicesPerIommu * (vfsPerDevice + 1); }

    public int pasidsPerFunction() { return pasids / functions(); }

    public int owners() { return pasids / ioasidsPerOwner; }

    public Topology build() {
        Topology.Builder b = Topology.builder().mode(mode);
        for (int i = 0; i < iommus; i++) b.iommu(kind, queueDepth, eventQueueDepth);
        for (int v = 0; v < viommus; v++) b.viommu(viommuQueueDepth);
        int perFn = pasidsPerFunction();
        int pasidBase = perFn == Pasid.COUNT ? 0 : 1; // PASID 0 is Linux's RID_PASID on VT-d: leave it to DMA without PASID
        int rid = 0x100;
        for (int i = 0; i < iommus; i++) {
            for (int d = 0; d < devicesPerIommu; d++) {
                if (d < stallingDevicesPerIommu) b.stallingDevice(i, rid, stallLimit, pasidBase, perFn);
                else b.device(i, rid, vfsPerDevice, allocation, pasidBase, perFn);
                rid += vfsPerDevice + 1;
            }
        }
        int owners = owners();
        byte[] kinds = new byte[owners];
        int[] vio = new int[owners];
        int guest = 0;
        for (int o = 0; o < owners; o++) {
            OwnerKind k = ownerKinds.get(o % ownerKinds.size());
            kinds[o] = (byte) k.ordinal();
            vio[o] = k == OwnerKind.GUEST ? guest++ % viommus : -1;
        }
        b.owners(kinds, vio);
        int[] ownerOf = new int[pasids];
        for (int a = 0; a < pasids; a++) {
            ownerOf[a] = assignment == Assignment.CONTIGUOUS ? a / ioasidsPerOwner : a % owners;
        }
        b.ioasidOwners(ownerOf);
        return b.build();
    }
}
