package io.faultfabric.engine.topology;

import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.Pasid;
import io.faultfabric.engine.Rid;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.VirtualPageRequestQueue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A fabric's shape as plain data: IOMMU units, the devices (a PF and its VFs) behind each, the
 * PASIDs bound on each function and the IOASID attached there, the owner of each IOASID and its
 * kind, the device owners (DEVICE routing mode), and the vIOMMUs of guests. A device is a PCIe device with PRI, or a
 * stalling platform device behind an SMMUv3 (the SMMUv3 stall model), and one unit may serve both. Kept in flat arrays
 * so that 2^20 PASIDs cost a few bytes each. Immutable once built; build with {@link #builder()}
 * or {@link UniformTopology}.
 */
public final class Topology {
    private static final OwnerKind[] OWNER_KINDS = OwnerKind.values(); // values() copies the array on every call

    private final RoutingMode mode;
    private final IommuKind[] iommuKind;
    private final int[] iommuDepth;
    private final int[] iommuEventDepth;
    private final boolean[] deviceStalls;
    private final int[] deviceIommu;
    private final int[][] deviceRids;
    private final int[] deviceAllocation;
    private final int[] devicePasidBase;
    private final int[] devicePasidsPerFunction;
    private final int[] deviceIoasidBase;
    private final int[] ownerOfIoasid;
    private final byte[] ownerKind;
    private final int[] ownerViommu;
    private final int ioasidOwnerCount;
    private final int[] viommuDepth;
    private final int[] ridToDevice;

    private Topology(Builder b) {
        this.mode = b.mode;
        this.iommuKind = b.iommuKind.toArray(new IommuKind[0]);
        this.iommuDepth = b.iommuDepth.stream().mapToInt(Integer::intValue).toArray();
        this.iommuEventDepth = b.iommuEventDepth.stream().mapToInt(Integer::intValue).toArray();
        int n = b.devices.size();
        this.deviceStalls = new boolean[n];
        this.deviceIommu = new int[n];
        this.deviceRids = new int[n][];
        this.deviceAllocation = new int[n];
        this.devicePasidBase = new int[n];
        this.devicePasidsPerFunction = new int[n];
        this.deviceIoasidBase = new int[n];
        this.ridToDevice = new int[Rid.MAX + 1];
        Arrays.fill(ridToDevice, -1);
        int ioasid = 0;
        for (int d = 0; d < n; d++) {
            DeviceDecl dd = b.devices.get(d);
            deviceIommu[d] = dd.iommu;
            deviceRids[d] = dd.rids;
            deviceAllocation[d] = dd.allocation;
            deviceStalls[d] = dd.stalls;
            devicePasidBase[d] = dd.pasidBase;
            devicePasidsPerFunction[d] = dd.pasidsPerFunction;
            deviceIoasidBase[d] = ioasid;
            ioasid += dd.rids.length * dd.pasidsPerFunction;
            for (int rid : dd.rids) ridToDevice[rid] = d;
        }
        if (b.ownerOfIoasid.length != ioasid) {
            throw new IllegalArgumentException("ioasidOwners must assign an owner to all " + ioasid + " IOASIDs, was given " + b.ownerOfIoasid.length);
        }
        this.ownerOfIoasid = b.ownerOfIoasid;
        this.ioasidOwnerCount = b.ownerKinds.length;
        // device owners follow the IOASID owners: one per device, a user-space driver (VFIO) by default
        this.ownerKind = Arrays.copyOf(b.ownerKinds, ioasidOwnerCount + n);
        this.ownerViommu = Arrays.copyOf(b.ownerViommu, ioasidOwnerCount + n);
        for (int d = 0; d < n; d++) {
            ownerKind[ioasidOwnerCount + d] = (byte) OwnerKind.USER_DRIVER.ordinal();
            ownerViommu[ioasidOwnerCount + d] = -1;
        }
        this.viommuDepth = b.viommuDepth.stream().mapToInt(Integer::intValue).toArray();
    }

    public static Builder builder() { return new Builder(); }

    public RoutingMode mode() { return mode; }
    public int iommuCount() { return iommuKind.length; }
    public IommuKind iommuKind(int iommu) { return iommuKind[iommu]; }
    public int iommuQueueDepth(int iommu) { return iommuDepth[iommu]; }
    public int deviceCount() { return deviceIommu.length; }
    public int deviceIommu(int device) { return deviceIommu[device]; }
    public int[] deviceRids(int device) { return deviceRids[device].clone(); }
    public int devicePfRid(int device) { return deviceRids[device][0]; }
    public int deviceFunctionCount(int device) { return deviceRids[device].length; }
    /** PRI credits (outstanding page request allocation); for a stalling device, the most transactions it has stalled at once. */
    public int deviceAllocation(int device) { return deviceAllocation[device]; }
    /** A stalling platform device behind an SMMUv3 (stall model) rather than a PRI device. */
    public boolean deviceStalls(int device) { return deviceStalls[device]; }
    /** How many devices stall. */
    public int stallingDeviceCount() {
        int n = 0;
        for (boolean s : deviceStalls) if (s) n++;
        return n;
    }
    /** The capacity of unit {@code iommu}'s event queue, where stall records go (SMMUv3). */
    public int iommuEventQueueDepth(int iommu) { return iommuEventDepth[iommu]; }
    public int pasidsPerFunction(int device) { return devicePasidsPerFunction[device]; }
    /** The PASID value of binding {@code i} of a function. */
    public int pasidOf(int device, int i) { return devicePasidBase[device] + i; }
    /** The IOASID attached at binding {@code i} of function {@code function} of a device. */
    public int ioasidOf(int device, int function, int i) {
        return deviceIoasidBase[device] + function * devicePasidsPerFunction[device] + i;
    }
    /** The device (PF with VFs) that has this RID, or -1. */
    public int deviceOfRid(int rid) { return ridToDevice[Rid.check(rid, "rid")]; }
    public int ioasidCount() { return ownerOfIoasid.length; }
    public int ownerOfIoasid(int ioasid) { return ownerOfIoasid[ioasid]; }
    /** Owners of address spaces; device owners come after them. */
    public int ioasidOwnerCount() { return ioasidOwnerCount; }
    /** All owners: IOASID owners, then one device owner per device (used in DEVICE mode). */
    public int ownerCount() { return ownerKind.length; }
    public int deviceOwnerOf(int device) { return ioasidOwnerCount + device; }
    public boolean isDeviceOwner(int owner) { return owner >= ioasidOwnerCount; }
    public OwnerKind ownerKind(int owner) { return OWNER_KINDS[ownerKind[owner]]; }
    /** The vIOMMU a GUEST owner sits behind, or -1. */
    public int ownerViommu(int owner) { return ownerViommu[owner]; }
    public int viommuCount() { return viommuDepth.length; }
    public int viommuQueueDepth(int viommu) { return viommuDepth[viommu]; }
    /** Every PASID binding of the topology: the number of (RID, PASID) pairs. */
    public int pasidCount() { return ownerOfIoasid.length; }

    public int[] iommuRids(int iommu) {
        List<Integer> rids = new ArrayList<>();
        for (int d = 0; d < deviceCount(); d++) if (deviceIommu[d] == iommu) for (int r : deviceRids[d]) rids.add(r);
        return rids.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The rules of IOMMU unit {@code iommu} as this topology lays it out: its functions, their device
     * owners (DEVICE mode), a PASID table holding every binding of those functions, and the routing mode.
     */
    public io.faultfabric.engine.IommuCore newIommuCore(int iommu, io.faultfabric.engine.IommuOutput out) {
        int[] rids = iommuRids(iommu);
        int[] deviceOwners = new int[rids.length];
        boolean[] stalling = new boolean[rids.length];
        int expected = 0;
        for (int k = 0; k < rids.length; k++) {
            int dev = deviceOfRid(rids[k]);
            deviceOwners[k] = deviceOwnerOf(dev);
            stalling[k] = deviceStalls[dev];
            expected += pasidsPerFunction(dev);
        }
        io.faultfabric.engine.IommuCore core = new io.faultfabric.engine.IommuCore(iommu, iommuKind(iommu), iommuQueueDepth(iommu),
            mode, rids, deviceOwners, stalling, iommuEventDepth[iommu], new io.faultfabric.engine.RoutingTable(expected, this::ownerOfIoasid), out);
        for (int d = 0; d < deviceCount(); d++) {
            if (deviceIommu[d] != iommu) continue;
            for (int f = 0; f < deviceRids[d].length; f++) {
                for (int i = 0; i < devicePasidsPerFunction[d]; i++) core.attach(deviceRids[d][f], pasidOf(d, i), ioasidOf(d, f, i));
            }
        }
        return core;
    }

    /** With the routing mode changed: the study runs the same topology both ways. */
    public Topology withMode(RoutingMode newMode) {
        Builder b = toBuilder();
        b.mode(newMode);
        return b.build();
    }

    private Builder toBuilder() {
        Builder b = new Builder();
        b.mode = mode;
        b.iommuKind.addAll(Arrays.asList(iommuKind));
        for (int d : iommuDepth) b.iommuDepth.add(d);
        for (int d : iommuEventDepth) b.iommuEventDepth.add(d);
        for (int d = 0; d < deviceCount(); d++) {
            b.devices.add(new DeviceDecl(deviceIommu[d], deviceRids[d], deviceAllocation[d], devicePasidBase[d], devicePasidsPerFunction[d],
                deviceStalls[d]));
        }
        b.ownerOfIoasid = ownerOfIoasid;
        b.ownerKinds = Arrays.copyOf(ownerKind, ioasidOwnerCount);
        b.ownerViommu = Arrays.copyOf(ownerViommu, ioasidOwnerCount);
        for (int d : viommuDepth) b.viommuDepth.add(d);
        return b;
    }

    @Override
    public String toString() {
        int stalling = stallingDeviceCount();
        return "Topology[" + iommuCount() + " IOMMUs, " + deviceCount() + " devices" + (stalling == 0 ? "" : " (" + stalling + " stalling)")
            + ", " + pasidCount() + " PASIDs, "
            + ioasidOwnerCount + " owners, " + viommuCount() + " vIOMMUs, mode " + mode + "]";
    }

    private record DeviceDecl(int iommu, int[] rids, int allocation, int pasidBase, int pasidsPerFunction, boolean stalls) {}

    /** Builds a topology step by step, checking each argument as it comes. */
    public static final class Builder {
        private RoutingMode mode = RoutingMode.OWNER;
        private final List<IommuKind> iommuKind = new ArrayList<>();
        private final List<Integer> iommuDepth = new ArrayList<>();
        private final List<Integer> iommuEventDepth = new ArrayList<>();
        private final List<DeviceDecl> devices = new ArrayList<>();
        private final boolean[] ridUsed = new boolean[Rid.MAX + 1];
        private int[] ownerOfIoasid = new int[0];
        private byte[] ownerKinds = new byte[0];
        private int[] ownerViommu = new int[0];
        private final List<Integer> viommuDepth = new ArrayList<>();

        public Builder mode(RoutingMode m) {
            this.mode = Objects.requireNonNull(m, "mode");
            return this;
        }

        /** Adds an IOMMU unit; returns its index. */
        public int iommu(IommuKind kind, int queueDepth) {
            return iommu(kind, queueDepth, Math.min(queueDepth, io.faultfabric.engine.StallEventQueue.MAX_CAPACITY));
        }

        /**
         * Adds an IOMMU unit whose event queue (where an SMMUv3 reports stalls) holds {@code eventQueueDepth} records,
         * 1..2^19; returns its index.
         */
        public int iommu(IommuKind kind, int queueDepth, int eventQueueDepth) {
            Objects.requireNonNull(kind, "kind");
            kind.checkDepth(queueDepth, "queueDepth");
            if (eventQueueDepth < 1 || eventQueueDepth > io.faultfabric.engine.StallEventQueue.MAX_CAPACITY) {
                throw new IllegalArgumentException("eventQueueDepth must be 1..2^19 (524288), was " + eventQueueDepth);
            }
            iommuKind.add(kind);
            iommuDepth.add(queueDepth);
            iommuEventDepth.add(eventQueueDepth);
            return iommuKind.size() - 1;
        }

        /**
         * Adds a device: a PF at {@code pfRid} and {@code vfs} VFs at the RIDs after it, sharing one
         * allocation; each function binds PASIDs {@code pasidBase .. pasidBase+pasidsPerFunction-1}.
         * Returns the device index.
         */
        public int device(int iommu, int pfRid, int vfs, int allocation, int pasidBase, int pasidsPerFunction) {
            if (iommu < 0 || iommu >= iommuKind.size()) throw new IllegalArgumentException("iommu must be 0.." + (iommuKind.size() - 1) + ", was " + iommu);
            if (vfs < 0 || vfs > 255) throw new IllegalArgumentException("vfs must be 0..255, was " + vfs);
            if (allocation < 1) throw new IllegalArgumentException("allocation must be >= 1, was " + allocation);
            if (pasidsPerFunction < 0) throw new IllegalArgumentException("pasidsPerFunction must be >= 0, was " + pasidsPerFunction);
            Pasid.check(pasidBase, "pasidBase");
            if (pasidsPerFunction > 0) Pasid.check(pasidBase + pasidsPerFunction - 1, "pasidBase + pasidsPerFunction - 1");
            int[] rids = new int[vfs + 1];
            for (int f = 0; f <= vfs; f++) {
                rids[f] = Rid.check(pfRid + f, "rid of function " + f);
                if (ridUsed[rids[f]]) throw new IllegalArgumentException("rid " + new Rid(rids[f]) + " is used by another device");
            }
            for (int r : rids) ridUsed[r] = true;
            devices.add(new DeviceDecl(iommu, rids, allocation, pasidBase, pasidsPerFunction, false));
            return devices.size() - 1;
        }

        /**
         * Adds a stalling platform device (the SMMUv3 stall model: no PRI, each fault a transaction stalled until its one
         * resume) behind SMMUv3 unit {@code iommu}, with stream id {@code sid} in the RID space, at most {@code stallLimit}
         * transactions stalled at once (1..65536, the STAGs of a stream), and SSIDs (PASIDs) {@code pasidBase ..
         * pasidBase+pasidsPerFunction-1}. Returns the device index.
         */
        public int stallingDevice(int iommu, int sid, int stallLimit, int pasidBase, int pasidsPerFunction) {
            if (iommu < 0 || iommu >= iommuKind.size()) throw new IllegalArgumentException("iommu must be 0.." + (iommuKind.size() - 1) + ", was " + iommu);
            if (iommuKind.get(iommu) != IommuKind.SMMUV3) {
                throw new IllegalArgumentException("a stalling device must sit behind an SMMUV3 unit (the stall model is Arm SMMUv3's); iommu "
                    + iommu + " is " + iommuKind.get(iommu));
            }
            if (stallLimit < 1 || stallLimit > io.faultfabric.engine.StallEventQueue.STAGS) {
                throw new IllegalArgumentException("stallLimit must be 1..65536 (a STAG is 16 bits), was " + stallLimit);
            }
            if (pasidsPerFunction < 0) throw new IllegalArgumentException("pasidsPerFunction must be >= 0, was " + pasidsPerFunction);
            Pasid.check(pasidBase, "pasidBase");
            if (pasidsPerFunction > 0) Pasid.check(pasidBase + pasidsPerFunction - 1, "pasidBase + pasidsPerFunction - 1");
            Rid.check(sid, "sid");
            if (ridUsed[sid]) throw new IllegalArgumentException("sid " + new Rid(sid) + " is used by another device");
            ridUsed[sid] = true;
            devices.add(new DeviceDecl(iommu, new int[] {sid}, stallLimit, pasidBase, pasidsPerFunction, true));
            return devices.size() - 1;
        }

        /** Adds an owner; returns its index. GUEST owners name their vIOMMU, others pass -1. */
        public int owner(OwnerKind kind, int viommu) {
            Objects.requireNonNull(kind, "kind");
            checkViommu(kind, viommu, "viommu");
            int i = ownerKinds.length;
            ownerKinds = Arrays.copyOf(ownerKinds, i + 1);
            ownerViommu = Arrays.copyOf(ownerViommu, i + 1);
            ownerKinds[i] = (byte) kind.ordinal();
            ownerViommu[i] = viommu;
            return i;
        }

        private void checkViommu(OwnerKind kind, int viommu, String argument) {
            if (kind == OwnerKind.GUEST && (viommu < 0 || viommu >= viommuDepth.size())) {
                throw new IllegalArgumentException(argument + " must name the vIOMMU of a GUEST owner, "
                    + (viommuDepth.isEmpty() ? "but none has been added" : "0.." + (viommuDepth.size() - 1)) + ", was " + viommu);
            }
            if (kind != OwnerKind.GUEST && viommu != -1) {
                throw new IllegalArgumentException(argument + " must be -1 for " + kind + ": only GUEST owners sit behind a vIOMMU, was " + viommu);
            }
        }

        /** Adds many owners at once (cheaper for 2^20), each checked as {@link #owner} checks one; returns the first index. */
        public int owners(byte[] kinds, int[] viommus) {
            if (kinds.length != viommus.length) throw new IllegalArgumentException("kinds and viommus must have equal length");
            OwnerKind[] all = OwnerKind.values();
            for (int i = 0; i < kinds.length; i++) {
                if (kinds[i] < 0 || kinds[i] >= all.length) {
                    throw new IllegalArgumentException("kinds[" + i + "] must be an OwnerKind ordinal 0.." + (all.length - 1) + ", was " + kinds[i]);
                }
                checkViommu(all[kinds[i]], viommus[i], "viommus[" + i + "]");
            }
            int first = ownerKinds.length;
            ownerKinds = Arrays.copyOf(ownerKinds, first + kinds.length);
            ownerViommu = Arrays.copyOf(ownerViommu, first + kinds.length);
            System.arraycopy(kinds, 0, ownerKinds, first, kinds.length);
            System.arraycopy(viommus, 0, ownerViommu, first, kinds.length);
            return first;
        }

        /** Adds a vIOMMU with a virtual page request queue of {@code queueDepth} entries; returns its index. */
        public int viommu(int queueDepth) {
            if (queueDepth < VirtualPageRequestQueue.MIN_ENTRIES || queueDepth > VirtualPageRequestQueue.MAX_ENTRIES) {
                throw new IllegalArgumentException("viommu queueDepth must be " + VirtualPageRequestQueue.MIN_ENTRIES + ".."
                    + VirtualPageRequestQueue.MAX_ENTRIES + " (the guest page request queue's entries), was " + queueDepth);
            }
            viommuDepth.add(queueDepth);
            return viommuDepth.size() - 1;
        }

        /** Which owner holds each IOASID (IOASIDs are numbered in device, function, binding order). */
        public Builder ioasidOwners(int[] owners) {
            this.ownerOfIoasid = owners.clone();
            return this;
        }

        public int ioasidsSoFar() {
            int n = 0;
            for (DeviceDecl d : devices) n += d.rids.length * d.pasidsPerFunction;
            return n;
        }

        public Topology build() {
            if (iommuKind.isEmpty()) throw new IllegalArgumentException("a topology needs at least one IOMMU");
            for (int i = 0; i < ownerOfIoasid.length; i++) {
                if (ownerOfIoasid[i] < 0 || ownerOfIoasid[i] >= ownerKinds.length) {
                    throw new IllegalArgumentException("ioasid " + i + " names owner " + ownerOfIoasid[i] + "; owners are 0.." + (ownerKinds.length - 1));
                }
            }
            return new Topology(this);
        }
    }
}
