package io.faultfabric.engine.owner;

import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.Mix;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.Pasid;
import io.faultfabric.engine.Stag;
import io.faultfabric.engine.Rid;
import io.faultfabric.engine.RoutingTable;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * A guest's emulated page request queue, as a VMM emulating intel-iommu would keep it: the VMM
 * writes one 32-byte descriptor per page request into the guest's queue of 128..16,384 entries;
 * when a group does not fit, it sets the guest's PRO (Page Request Overflow) and refuses the group,
 * and, as VT-d hardware does, keeps refusing every new group while PRO is set; the guest clears PRO
 * once it has emptied the queue. The VMM also keeps what it needs to carry the guest's page group
 * response (RID, vPASID, PRGI) back to the host fault fd: the host cookie of each group it injected.
 *
 * <p>PASIDs: on VT-d the guest may use its own vPASIDs, translated to host pPASIDs; SMMUv3 nesting
 * (and RISC-V) keep the guest's PASIDs. The translation of one vIOMMU is a fixed bijection of the
 * 20-bit PASID space (multiplication by an odd number, so PASID 0 stays 0), reproducible from its index.
 *
 * <p>Single-threaded: one vIOMMU owns it.
 */
public final class VirtualPageRequestQueue {
    public static final int MIN_ENTRIES = 128;
    public static final int MAX_ENTRIES = 16_384;
    /** One VT-d page request descriptor. */
    public static final int DESCRIPTOR_BYTES = 32;

    /** What became of an injected group. */
    public enum Admission {
        /** Its descriptors are in the guest's queue. */
        QUEUED,
        /** It did not fit: the VMM set PRO and refused it. */
        FULL,
        /** PRO was already set: refused without looking. */
        OVERFLOWING
    }

    /** One injected group: what the guest sees (RID, vPASID, PRGI, requests) and the VMM's note of its host side. */
    public static final class Injected {
        private final PageRequestGroup group;
        private final int owner;
        private final int cookie;
        private final int guestPasid;
        private final FaultPolicy policy;
        private Injected nextSameKey;

        Injected(PageRequestGroup group, int owner, int cookie, int guestPasid, FaultPolicy policy) {
            this.group = group;
            this.owner = owner;
            this.cookie = cookie;
            this.guestPasid = guestPasid;
            this.policy = policy;
        }

        public PageRequestGroup group() { return group; }
        /** The host owner (VMM side) whose fault fd holds the group. */
        public int owner() { return owner; }
        /** The host fault fd's cookie of the group. */
        public int cookie() { return cookie; }
        public int rid() { return group.rid(); }
        /** The PASID the guest sees ({@link RoutingTable#NO_PASID} when the requests carry none). */
        public int guestPasid() { return guestPasid; }
        public int prgi() { return group.prgi(); }
        /** Descriptors it takes in the queue: one per page request. */
        public int descriptors() { return group.requestCount(); }
        /** How the guest's fault handler treats it. */
        public FaultPolicy policy() { return policy; }

        @Override
        public String toString() {
            return "Injected[owner " + owner + " cookie " + cookie + " rid " + new Rid(group.rid()) + " vpasid " + guestPasid
                + " prgi " + group.prgi() + " descriptors " + descriptors() + "]";
        }
    }

    private static final int MASK = Pasid.MAX;

    private final int viommu;
    private final int capacity;
    private final int multiplier;
    private final int inverse;
    private final ArrayDeque<Injected> queue = new ArrayDeque<>();
    private final Map<Long, Injected> awaitingResponse = new HashMap<>();
    private int used;
    private int flooded;
    private boolean pro;

    private long injected;
    private long refused;
    private long proEvents;
    private long highWater;
    private long unmatchedResponses;
    private long forgotten;

    /** @param capacity the guest queue's entries (descriptors), 128..16,384 as QEMU's intel-iommu allows */
    public VirtualPageRequestQueue(int viommu, int capacity) {
        if (viommu < 0) throw new IllegalArgumentException("viommu must be >= 0, was " + viommu);
        if (capacity < MIN_ENTRIES || capacity > MAX_ENTRIES) {
            throw new IllegalArgumentException("vIOMMU " + viommu + ": the guest's page request queue must have " + MIN_ENTRIES + ".."
                + MAX_ENTRIES + " entries, was " + capacity);
        }
        this.viommu = viommu;
        this.capacity = capacity;
        this.multiplier = (int) (Mix.mix(0x76494F4D4D55L + viommu) & MASK) | 1;
        this.inverse = inverseOdd(multiplier);
    }

    /** The inverse of an odd number modulo 2^20, by Newton's iteration (each step doubles the correct bits). */
    private static int inverseOdd(int a) {
        int x = a; // correct to 3 bits: a*a == 1 (mod 8) for every odd a
        for (int i = 0; i < 5; i++) x *= 2 - a * x;
        return x & MASK;
    }

    public int viommu() { return viommu; }
    public int capacity() { return capacity; }
    /** Descriptors in the queue, not yet taken by the guest. */
    public int used() { return used; }
    /** Groups in the queue, not yet taken by the guest. */
    public int queuedGroups() { return queue.size(); }
    /** Groups injected whose guest response has not come back. */
    public int awaitingResponses() {
        int n = 0;
        for (Injected e : awaitingResponse.values()) for (Injected x = e; x != null; x = x.nextSameKey) n++;
        return n;
    }
    public boolean pro() { return pro; }
    public long injected() { return injected; }
    public long refused() { return refused; }
    public long proEvents() { return proEvents; }
    public long highWater() { return highWater; }
    public long unmatchedResponses() { return unmatchedResponses; }
    public long forgotten() { return forgotten; }

    /** Does this vIOMMU translate PASIDs for groups from a host IOMMU of this kind? Only VT-d does. */
    public static boolean translates(IommuKind hostKind) {
        return hostKind == IommuKind.VTD;
    }

    /** The vPASID the guest sees for a host pPASID. */
    public int toGuestPasid(int hostPasid, IommuKind hostKind) {
        Pasid.check(hostPasid, "hostPasid");
        return translates(hostKind) ? (hostPasid * multiplier) & MASK : hostPasid;
    }

    /** The host pPASID behind a guest vPASID. */
    public int toHostPasid(int guestPasid, IommuKind hostKind) {
        Pasid.check(guestPasid, "guestPasid");
        return translates(hostKind) ? (guestPasid * inverse) & MASK : guestPasid;
    }

    /**
     * The VMM injects a group it read from owner {@code owner}'s fault fd under {@code cookie}: all its
     * descriptors, or none (refused, PRO set). {@code policy} is how the guest's handler will treat it.
     */
    public Admission inject(PageRequestGroup group, int owner, int cookie, IommuKind hostKind, FaultPolicy policy) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(policy, "policy");
        if (pro) {
            refused++;
            return Admission.OVERFLOWING;
        }
        int n = group.requestCount();
        if (used + flooded + n > capacity) {
            pro = true;
            proEvents++;
            refused++;
            return Admission.FULL;
        }
        int guestPasid = group.pasidPresent() ? toGuestPasid(group.pasid(), hostKind) : RoutingTable.NO_PASID;
        Injected e = new Injected(group, owner, cookie, guestPasid, policy);
        queue.addLast(e);
        used += n;
        if (used > highWater) highWater = used;
        injected++;
        Long key = key(group.rid(), guestPasid, group.prgi());
        Injected head = awaitingResponse.get(key);
        if (head == null) awaitingResponse.put(key, e);
        else {
            // the device reused the PRGI (its older group was answered on the host side): the guest answers in order
            while (head.nextSameKey != null) head = head.nextSameKey;
            head.nextSameKey = e;
        }
        return Admission.QUEUED;
    }

    /**
     * Descriptors of work from outside the model (a burst from the guest's other devices) occupy {@code descriptors}
     * entries of the queue until flooded again with 0: groups that do not fit are refused and PRO is set, as on overflow.
     */
    public void flood(int descriptors) {
        if (descriptors < 0 || descriptors > capacity) {
            throw new IllegalArgumentException("descriptors must be 0.." + capacity + ", was " + descriptors);
        }
        flooded = descriptors;
    }

    public int flooded() { return flooded; }

    /** The guest takes the next group off its queue (its descriptors are freed); null when empty. PRO is cleared once empty. */
    public Injected take() {
        Injected e = queue.pollFirst();
        if (e != null) used -= e.descriptors();
        if (queue.isEmpty()) pro = false;
        return e;
    }

    /**
     * The guest's page group response (RID, vPASID, PRGI): the VMM looks up the injected group it answers,
     * the oldest with that key, and forgets it. Null when it answers nothing injected (counted).
     */
    public Injected respond(int rid, int guestPasid, int prgi) {
        if (rid < 0 || rid > Rid.MAX || prgi < 0 || prgi > Stag.MAX || guestPasid < 0 || guestPasid > RoutingTable.NO_PASID) {
            unmatchedResponses++;
            return null;
        }
        Long key = key(rid, guestPasid, prgi);
        Injected head = awaitingResponse.get(key);
        if (head == null) {
            unmatchedResponses++;
            return null;
        }
        if (head.nextSameKey == null) awaitingResponse.remove(key);
        else awaitingResponse.put(key, head.nextSameKey);
        head.nextSameKey = null;
        return head;
    }

    /**
     * The host side of {@code owner} went away (its VMM end restarted): forget where its groups' answers go,
     * so that a later guest response cannot reach a new fd under a reused cookie. Returns how many were forgotten.
     */
    public int forgetOwner(int owner) {
        int n = 0;
        for (Iterator<Map.Entry<Long, Injected>> it = awaitingResponse.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Injected> en = it.next();
            Injected kept = null;
            Injected tail = null;
            for (Injected x = en.getValue(); x != null; ) {
                Injected next = x.nextSameKey;
                x.nextSameKey = null;
                if (x.owner == owner) n++;
                else {
                    if (kept == null) kept = x; else tail.nextSameKey = x;
                    tail = x;
                }
                x = next;
            }
            if (kept == null) it.remove(); else en.setValue(kept);
        }
        forgotten += n;
        return n;
    }

    /** The group id is a 9-bit PRGI, or a 16-bit STAG for a stall (SMMUv3 stall model): 16 bits are kept for it. */
    private static long key(int rid, int guestPasid, int prgi) {
        return ((long) rid << 37) | ((long) guestPasid << 16) | prgi;
    }
}
