package io.faultfabric.engine;

import java.util.Arrays;

/**
 * The rules of one IOMMU unit, single-threaded and free of Pekko: the bounded page request queue
 * with its kind's overflow rule, group assembly per device keyed by PRGI, the PASID table,
 * routing (OWNER or DEVICE mode), the table of outstanding groups, response validation and
 * response timeouts. Its host feeds it requests, drains it, and carries out what it asks through
 * {@link IommuOutput}. Every drop, automatic answer and rejection is counted in its ledger.
 *
 * <p>An SMMUv3 unit may also serve stalling platform devices (the SMMUv3 stall model, {@link StallEventQueue}): their
 * faulting transactions bypass the PRI queue, stall with a STAG, and go on the bounded event queue, where a full queue
 * makes the transaction wait rather than drop it. Read off the queue, a stall is a one-request group (group id = STAG,
 * in {@link PageRequestGroup#prgi()}) routed, timed out, detached and answered as any group is; its answer is the one
 * CMD_RESUME of the transaction, RETRY for Success and ABORT otherwise.
 */
public final class IommuCore {
    private final int index;
    private final IommuKind kind;
    private final RoutingMode mode;
    private final IommuOutput out;
    private final OutcomeLedger ledger = new OutcomeLedger();

    private final int[] deviceIndexByRid = new int[Rid.MAX + 1];
    private final int[] deviceOwner;
    private final boolean[] removed;
    private final int deviceCount;
    private final RoutingTable routing;

    private final PageRequest[] ring;
    private final int[] ringEpoch;   // per ring entry: its slot's epoch when it was queued
    private final long[] ringArrival; // per ring entry: its number among all requests offered, for the drain check
    private long arrivals;
    private final boolean[] failNext; // per device index: the next group routed fails (a Response Failure injected)
    private final java.util.Map<Long, Long> detachedAt = new java.util.HashMap<>(); // (RID, PASID) -> arrivals at its last detach
    private final int[] slotEpoch;   // per function*512+prgi: bumped when the slot's group ends while requests of it may be queued
    private int head;
    private int size;
    private boolean overflow;

    private final PageRequestGroup[] partial;
    private final PageRequestGroup[] outstanding;
    private int outstandingCount;
    private PageRequestGroup oldest;
    private PageRequestGroup newest;
    private long nextGroupId;

    private final boolean[] stalling;      // per device index: a stalling device (SMMUv3 stall model), or null with none
    private final StallEventQueue stalls;  // null with no stalling device
    private java.util.function.LongSupplier stallClock = System::nanoTime;

    /**
     * @param rids         the RIDs of this unit's functions; device index = position in this array
     * @param deviceOwners owner index that receives every fault of each function in DEVICE mode (-1: none)
     */
    public IommuCore(int index, IommuKind kind, int queueDepth, RoutingMode mode, int[] rids, int[] deviceOwners,
                     RoutingTable routing, IommuOutput out) {
        this(index, kind, queueDepth, mode, rids, deviceOwners, null, 0, routing, out);
    }

    /**
     * @param stallingDevices per function: true for a stalling platform device (SMMUv3 stall model); null for none
     * @param eventQueueDepth the SMMUv3 event queue's capacity (1..2^19) when some device stalls; ignored otherwise
     */
    public IommuCore(int index, IommuKind kind, int queueDepth, RoutingMode mode, int[] rids, int[] deviceOwners,
                     boolean[] stallingDevices, int eventQueueDepth, RoutingTable routing, IommuOutput out) {
        if (index < 0) throw new IllegalArgumentException("index must be >= 0, was " + index);
        this.index = index;
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
        this.mode = java.util.Objects.requireNonNull(mode, "mode");
        this.out = java.util.Objects.requireNonNull(out, "out");
        this.routing = java.util.Objects.requireNonNull(routing, "routing");
        kind.checkDepth(queueDepth, "queueDepth");
        if (rids.length != deviceOwners.length) {
            throw new IllegalArgumentException("rids and deviceOwners must have the same length, were " + rids.length + " and " + deviceOwners.length);
        }
        Arrays.fill(deviceIndexByRid, -1);
        for (int i = 0; i < rids.length; i++) {
            Rid.check(rids[i], "rids[" + i + "]");
            if (deviceIndexByRid[rids[i]] >= 0) throw new IllegalArgumentException("rid " + new Rid(rids[i]) + " appears twice");
            deviceIndexByRid[rids[i]] = i;
        }
        this.deviceCount = rids.length;
        this.deviceOwner = deviceOwners.clone();
        this.removed = new boolean[rids.length];
        this.ring = new PageRequest[queueDepth];
        this.ringEpoch = new int[queueDepth];
        this.ringArrival = new long[queueDepth];
        this.failNext = new boolean[rids.length];
        this.slotEpoch = new int[rids.length * Prgi.COUNT];
        this.partial = new PageRequestGroup[rids.length * Prgi.COUNT];
        this.outstanding = new PageRequestGroup[rids.length * Prgi.COUNT];
        boolean anyStalling = false;
        if (stallingDevices != null) {
            if (stallingDevices.length != rids.length) {
                throw new IllegalArgumentException("stallingDevices must have one entry per rid (" + rids.length + "), had " + stallingDevices.length);
            }
            for (boolean b : stallingDevices) anyStalling |= b;
        }
        if (anyStalling && kind != IommuKind.SMMUV3) {
            throw new IllegalArgumentException("stalling devices must sit behind an SMMUV3 unit (the stall model is Arm SMMUv3's); IOMMU " + index + " is " + kind);
        }
        this.stalling = anyStalling ? stallingDevices.clone() : null;
        this.stalls = anyStalling ? new StallEventQueue(eventQueueDepth, ledger) : null;
    }

    /** The clock that times how long stalled transactions wait for room in the event queue (tests set a fake one). */
    public void stallClock(java.util.function.LongSupplier clock) { this.stallClock = java.util.Objects.requireNonNull(clock, "clock"); }

    /** Is function {@code deviceIndex} a stalling device? */
    public boolean stalls(int deviceIndex) { return stalling != null && stalling[deviceIndex]; }

    /** The event queue of the stall model, or null when no device of this unit stalls. */
    public StallEventQueue stallQueue() { return stalls; }

    /** Requests and stall records waiting to be processed by {@link #drain}: the PRI queue, the event queue and stalls waiting for room. */
    public int backlog() {
        return stalls == null ? size : size + stalls.queued() + stalls.waiting();
    }

    public int index() { return index; }
    public IommuKind kind() { return kind; }
    public RoutingMode mode() { return mode; }
    public OutcomeLedger ledger() { return ledger; }
    public RoutingTable routing() { return routing; }
    public int queueDepth() { return size; }
    public int queueCapacity() { return ring.length; }
    public boolean overflowing() { return overflow; }
    public int outstandingCount() { return outstandingCount; }
    public int deviceCount() { return deviceCount; }

    public int deviceIndexOf(int rid) {
        return deviceIndexByRid[Rid.check(rid, "rid")];
    }

    // ---------------------------------------------------------------- the queue

    /** A request arrives from a device: queued, or handled by the overflow rule of this unit's kind. */
    public void offer(PageRequest r, long nowNanos) {
        if (stalls != null) {
            int d = deviceIndexByRid[r.rid()];
            if (d >= 0 && stalling[d]) {
                stall(r, d);
                return;
            }
        }
        if (overflow || size == ring.length) {
            if (!overflow) ledger.overflowEvents++;
            overflow = true;
            arrivals++;
            overflowed(r, nowNanos);
            return;
        }
        int at = (head + size) % ring.length;
        int dev = deviceIndexByRid[r.rid()];
        ring[at] = r;
        ringEpoch[at] = dev < 0 ? 0 : slotEpoch[dev * Prgi.COUNT + r.prgi()];
        ringArrival[at] = arrivals++;
        size++;
        if (size > ledger.queueHighWater) ledger.queueHighWater = size;
    }

    private void overflowed(PageRequest r, long nowNanos) {
        if (r.isStopMarker()) {
            drop(r, DropReason.STOP_MARKER_OVERFLOW);
        } else if (!r.last()) {
            drop(r, kind == IommuKind.VTD ? DropReason.PRQ_OVERFLOW : DropReason.PRIQ_OVERFLOW);
        } else {
            // the hardware itself answers the L=1 request Success; the group is closed, its PRGI free at once:
            // its requests already assembled are freed now, those still queued when they come out (see handle)
            int dev = deviceIndexByRid[r.rid()];
            if (dev >= 0) {
                discardPartial(dev, r.prgi());
                slotEpoch[dev * Prgi.COUNT + r.prgi()]++;
            }
            PageRequestGroup g = new PageRequestGroup(index, dev, r);
            autoAnswer(g, AutoReason.QUEUE_OVERFLOW, nowNanos);
        }
    }

    /** Processes up to {@code max} queued requests; returns how many it took. */
    public int drain(int max, long nowNanos) {
        int n = 0;
        while (n < max && size > 0) {
            PageRequest r = ring[head];
            int epoch = ringEpoch[head];
            long arrival = ringArrival[head];
            ring[head] = null;
            head = (head + 1) % ring.length;
            size--;
            n++;
            handle(r, epoch, arrival, nowNanos);
        }
        if (stalls != null) {
            long clock = stalls.waiting() > 0 ? stallClock.getAsLong() : 0;
            PageRequestGroup g;
            while (n < max && (g = stalls.poll(clock)) != null) {
                n++;
                handleStall(g, nowNanos);
            }
        }
        if (size == 0) queueEmptied();
        return n;
    }

    // ---------------------------------------------------------------- the stall model

    /** A stalling device's transaction faults: it stalls with a STAG, its record queued or waiting for room. */
    private void stall(PageRequest r, int dev) {
        PageRequestGroup g = new PageRequestGroup(index, dev, r);
        if (stalls.stall(g, stalls.queued() < stalls.capacity() ? 0 : stallClock.getAsLong()) < 0) {
            g.stalledWithoutTag();
            ledger.resumesSent[StallEventQueue.Resume.ABORT.ordinal()]++;
            autoAnswer(g, AutoReason.STAGS_EXHAUSTED, 0);
        }
    }

    /** Software read a stall record off the event queue: a one-request group, routed as any group. */
    private void handleStall(PageRequestGroup g, long nowNanos) {
        int dev = g.deviceIndex();
        PageRequest r = g.lastRequest();
        if (removed[dev] || !Permissions.readsOrWrites(r.perm()) || !PageAddress.isCanonical48(r.address())) {
            autoAnswer(g, AutoReason.MALFORMED, nowNanos);
            return;
        }
        route(g, dev, -1, nowNanos);
    }

    /** Every stall of device {@code dev} still on the event queue or waiting for room, answered with {@code reason}. */
    private int answerQueuedStalls(int dev, AutoReason reason, long nowNanos) {
        if (stalls == null || (dev >= 0 && !stalling[dev])) return 0;
        return stalls.withdraw(g -> dev < 0 || g.deviceIndex() == dev, g -> autoAnswer(g, reason, nowNanos), stallClock.getAsLong());
    }

    /** The stall dispatched to a handler at (SID, STAG), or null. */
    private PageRequestGroup dispatchedStall(int dev, int rid, int stag) {
        if (stag < 0 || stag > Stag.MAX) return null;
        PageRequestGroup g = stalls.find(rid, stag);
        return g != null && g.outstanding && g.deviceIndex() == dev ? g : null;
    }

    private void queueEmptied() {
        if (overflow) {
            overflow = false;
            // Linux (VT-d) clears PRO only with the ring empty, and first discards every device's partial groups
            if (kind == IommuKind.VTD) {
                for (int i = 0; i < partial.length; i++) {
                    if (partial[i] != null) discardPartialSlot(i);
                }
            }
        }
        if (routing.drainingCount() > 0) completeDrains();
    }

    private void handle(PageRequest r, int epoch, long arrival, long nowNanos) {
        if (r.isStopMarker()) {
            // never answered, whoever sent it; Linux drops it without waiting: the drain does the waiting
            ledger.stopMarkersConsumed++;
            return;
        }
        int dev = deviceIndexByRid[r.rid()];
        if (dev < 0 || removed[dev]) {
            malformed(r, -1, nowNanos);
            return;
        }
        if (!r.last() && epoch != slotEpoch[dev * Prgi.COUNT + r.prgi()]) {
            // queued before its group ended (answered by the hardware on overflow, or forgotten by a reset): nothing to join
            drop(r, DropReason.PARTIAL_DISCARDED);
            return;
        }
        if (!Permissions.readsOrWrites(r.perm()) || !PageAddress.isCanonical48(r.address())) {
            malformed(r, dev, nowNanos);
            return;
        }
        int slot = dev * Prgi.COUNT + r.prgi();
        PageRequestGroup g = partial[slot];
        if (!r.last()) {
            if (g == null) {
                g = new PageRequestGroup(index, dev, r);
                g.arrival = arrival;
                partial[slot] = g;
            } else {
                g.append(r);
            }
            return;
        }
        if (g == null) g = new PageRequestGroup(index, dev, r);
        else {
            g.append(r);
            partial[slot] = null;
        }
        route(g, dev, slot, nowNanos);
    }

    private void malformed(PageRequest r, int dev, long nowNanos) {
        if (!r.last()) {
            drop(r, DropReason.MALFORMED);
            return;
        }
        PageRequestGroup g;
        if (dev >= 0 && partial[dev * Prgi.COUNT + r.prgi()] != null) {
            g = partial[dev * Prgi.COUNT + r.prgi()];
            partial[dev * Prgi.COUNT + r.prgi()] = null;
            g.append(r);
        } else {
            g = new PageRequestGroup(index, dev, r);
        }
        autoAnswer(g, AutoReason.MALFORMED, nowNanos);
    }

    private void route(PageRequestGroup g, int dev, int slot, long nowNanos) {
        int pasidKey = g.pasidPresent() ? g.pasid() : RoutingTable.NO_PASID;
        int ioasid = routing.ioasidAt(g.rid(), pasidKey);
        int handler = ioasid < 0 ? -1 : (mode == RoutingMode.OWNER ? routing.ownerOf(ioasid) : deviceOwner[dev]);
        if (handler < 0) {
            autoAnswer(g, AutoReason.NO_HANDLER, nowNanos);
            return;
        }
        if (slot >= 0 && outstanding[slot] != null) {
            // the device reused a PRGI it has outstanding: not a group the handler can be given
            autoAnswer(g, AutoReason.MALFORMED, nowNanos);
            return;
        }
        if (failNext[dev]) {
            failNext[dev] = false;
            autoAnswer(g, AutoReason.HANDLER_FAILED, nowNanos);
            return;
        }
        g.dispatched(nextGroupId++, handler, ioasid, nowNanos);
        if (slot >= 0) outstanding[slot] = g;
        link(g);
        ledger.groupsDispatched++;
        out.dispatch(g);
    }

    // ---------------------------------------------------------------- responses

    /** A handler answers a group it was given. Returns null when delivered, else why it was rejected. */
    public RejectReason respond(PageRequestGroup group, int from, ResponseCode code) {
        return respond(group.rid(), group.pasid(), group.prgi(), group.groupId(), from, code, null);
    }

    /**
     * A response naming (RID, PASID, PRGI) and the group instance it answers, from handler {@code from}.
     * With a non-null {@code reason} the handler's side answered automatically (its queue was full, it failed).
     */
    public RejectReason respond(int rid, int pasid, int prgi, long groupId, int from, ResponseCode code, AutoReason reason) {
        java.util.Objects.requireNonNull(code, "code");
        RejectReason why = validate(rid, pasid, prgi, groupId, from);
        if (why != null) {
            ledger.rejected[why.ordinal()]++;
            PageRequestGroup named = why == RejectReason.UNKNOWN_DEVICE ? null : named(deviceIndexByRid[rid], rid, prgi);
            if (named != null) named.note(PageRequestGroup.REJECTED, why.ordinal());
            out.rejected(rid, pasid, prgi, from, why);
            return why;
        }
        PageRequestGroup g = named(deviceIndexByRid[rid], rid, prgi);
        close(g);
        if (reason == null) {
            g.answer(code, null);
            ledger.answeredSent[code.ordinal()]++;
        } else {
            g.answer(reason.code(), reason);
            ledger.autoSent[reason.ordinal()]++;
        }
        if (g.isStall()) stalls.resumed(g);
        out.respond(g);
        return null;
    }

    /** The outstanding group a response names: by PRGI, or for a stalling device by its STAG; null if none. */
    private PageRequestGroup named(int dev, int rid, int prgi) {
        if (stalling != null && stalling[dev]) return dispatchedStall(dev, rid, prgi);
        return prgi < 0 || prgi > Prgi.MAX ? null : outstanding[dev * Prgi.COUNT + prgi];
    }

    private RejectReason validate(int rid, int pasid, int prgi, long groupId, int from) {
        if (rid < 0 || rid > Rid.MAX || deviceIndexByRid[rid] < 0) return RejectReason.UNKNOWN_DEVICE;
        PageRequestGroup g = named(deviceIndexByRid[rid], rid, prgi);
        // a resume for a STAG with no stall reported to software: the SMMU ignores it (a second resume lands here)
        if (g == null) return stalling != null && stalling[deviceIndexByRid[rid]] ? RejectReason.UNKNOWN_STAG : RejectReason.NO_OUTSTANDING_GROUP;
        if (g.pasid() != pasid) return RejectReason.PASID_MISMATCH;
        if (g.handler() != from) return RejectReason.WRONG_HANDLER;
        if (g.groupId() != groupId) return RejectReason.STALE_GROUP;
        return null;
    }

    /** Is this exact group instance still waiting for its answer? */
    public boolean isOutstanding(PageRequestGroup g) {
        return g.outstanding;
    }

    // ---------------------------------------------------------------- automatic answers

    /** Answers, as the timeout rule, every group dispatched at or before {@code nowNanos - timeoutNanos}. */
    public int expire(long nowNanos, long timeoutNanos) {
        int n = 0;
        while (oldest != null && nowNanos - oldest.dispatchedNanos() >= timeoutNanos) {
            PageRequestGroup g = oldest;
            close(g);
            autoAnswer(g, AutoReason.TIMEOUT, nowNanos);
            n++;
        }
        return n;
    }

    /** The dispatch time of the oldest outstanding group, or -1: when the next timeout can fall due. */
    public long oldestDispatchNanos() {
        return oldest == null ? -1 : oldest.dispatchedNanos();
    }

    /**
     * Detach (or tear down) the address space at (RID, PASID): its pending groups answered Invalid, the PASID drained before reuse.
     * The drain waits while the queue holds a request of this (RID, PASID) or while the overflow (VT-d: PRO) is set; with neither,
     * the PASID is free at once.
     */
    public void detach(int rid, int pasid, long nowNanos) {
        routing.detach(rid, pasid);
        detachedAt.put(RoutingTable.key(rid, pasid), arrivals);
        answerPendingOf(rid, pasid, AutoReason.DETACHED, nowNanos);
        if (!overflow && !queueHolds(rid, pasid)) drained(rid, pasid);
    }

    /**
     * Attach an IOASID at (RID, PASID); refused while the PASID is attached or still draining.
     *
     * @return null, or what the PASID's previous attachment left behind at this unit (requests that arrived before its
     *         detach, still queued or in partial groups, or groups still outstanding): a reuse before the drain (invariant 6),
     *         found from the queue itself rather than from the routing table's draining mark, for the host to record
     */
    public String attach(int rid, int pasid, int ioasid) {
        requireDevice(rid);
        routing.attach(rid, pasid, ioasid);
        Long mark = detachedAt.remove(RoutingTable.key(rid, pasid));
        return leftovers(rid, pasid, mark == null ? -1 : mark);
    }

    /** What of (RID, PASID) arrived before {@code before} and is still queued or assembling, and its outstanding groups. */
    private String leftovers(int rid, int pasid, long before) {
        int dev = deviceIndexByRid[rid];
        StringBuilder b = new StringBuilder();
        int queued = 0;
        for (int i = 0; i < size; i++) {
            int at = (head + i) % ring.length;
            PageRequest r = ring[at];
            if (ringArrival[at] < before && r.rid() == rid && handleOf(r) == pasid && queued++ == 0) b.append("queued ").append(r);
        }
        if (queued > 1) b.append(" and ").append(queued - 1).append(" more queued");
        for (int p = 0; p < Prgi.COUNT; p++) {
            PageRequestGroup g = partial[dev * Prgi.COUNT + p];
            if (g != null && g.arrival < before && handleOf(g) == pasid) b.append(b.length() == 0 ? "" : "; ").append("partial ").append(g).append(' ').append(g.history());
            g = outstanding[dev * Prgi.COUNT + p];
            if (g != null && handleOf(g) == pasid) b.append(b.length() == 0 ? "" : "; ").append("outstanding ").append(g).append(' ').append(g.history());
        }
        return b.length() == 0 ? null : "pasid " + pasid + " of rid " + new Rid(rid) + " attached again while its earlier use was not drained: " + b;
    }

    private static int handleOf(PageRequest r) {
        return r.pasidPresent() ? r.pasid() : RoutingTable.NO_PASID;
    }

    private static int handleOf(PageRequestGroup g) {
        return g.pasidPresent() ? g.pasid() : RoutingTable.NO_PASID;
    }

    /** Replace the page table at (RID, PASID): the old owner's pending groups are answered Invalid (the intended rule). */
    public int replace(int rid, int pasid, int ioasid, long nowNanos) {
        requireDevice(rid);
        int old = routing.replace(rid, pasid, ioasid);
        answerPendingOf(rid, pasid, AutoReason.REPLACED, nowNanos);
        return old;
    }

    /** The device (one function) is reset or removed from the fault queue: pending groups Invalid, partials freed silently. */
    public void resetDevice(int rid, long nowNanos) {
        int dev = requireDevice(rid);
        if (stalls(dev)) {
            // the device's stalled transactions are terminated: each gets its one resume, ABORT (DEVICE_RESET)
            answerQueuedStalls(dev, AutoReason.DEVICE_RESET, nowNanos);
            answerDispatchedStalls(dev, g -> true, AutoReason.DEVICE_RESET, nowNanos);
            return;
        }
        // the device forgets its open groups: their requests still queued will have no group to join. A PRGI whose L=1 is
        // queued is a closed group the device still awaits: its queued requests stay with it.
        boolean[] closedInQueue = new boolean[Prgi.COUNT];
        for (int i = 0; i < size; i++) {
            PageRequest r = ring[(head + i) % ring.length];
            if (r.rid() == rid && r.last() && !r.isStopMarker()) closedInQueue[r.prgi()] = true;
        }
        for (int p = 0; p < Prgi.COUNT; p++) {
            int slot = dev * Prgi.COUNT + p;
            if (!closedInQueue[p]) slotEpoch[slot]++;
            if (partial[slot] != null) discardPartialSlot(slot);
            PageRequestGroup g = outstanding[slot];
            if (g != null) {
                close(g);
                autoAnswer(g, AutoReason.DEVICE_RESET, nowNanos);
            }
        }
    }

    /** Hot-unplug: as a reset, and later requests of the RID are malformed (answered Invalid if last). */
    public void removeDevice(int rid, long nowNanos) {
        resetDevice(rid, nowNanos);
        removed[deviceIndexByRid[rid]] = true;
    }

    /** Hot-plug of a function removed with {@link #removeDevice}: its requests are served again. */
    public void addDevice(int rid) {
        removed[requireDevice(rid)] = false;
    }

    /**
     * A handler fails on the function's groups: every group of it still pending is answered Response Failure
     * ({@link AutoReason#HANDLER_FAILED}); with none pending, the next group routed is. Returns the groups answered now.
     */
    public int failGroupsOf(int rid, long nowNanos) {
        int dev = requireDevice(rid);
        int n = stalls(dev) ? answerDispatchedStalls(dev, g -> true, AutoReason.HANDLER_FAILED, nowNanos) : 0;
        for (int p = 0; p < Prgi.COUNT; p++) {
            PageRequestGroup g = outstanding[dev * Prgi.COUNT + p];
            if (g != null) {
                close(g);
                autoAnswer(g, AutoReason.HANDLER_FAILED, nowNanos);
                n++;
            }
        }
        failNext[dev] = n == 0;
        return n;
    }

    /**
     * The unit is reset (driver reload, error recovery): its queue is discarded (an L=1 request in it has its group,
     * with what was assembled of it, answered {@link AutoReason#IOMMU_RESTART}; other requests are dropped, stop markers
     * consumed), partial groups are discarded, overflow is cleared, and every outstanding group is answered
     * IOMMU_RESTART. The PASID table survives (software reprograms it). Returns the groups answered.
     */
    public int restart(long nowNanos) {
        int n = 0;
        while (size > 0) {
            PageRequest r = ring[head];
            ring[head] = null;
            head = (head + 1) % ring.length;
            size--;
            if (r.isStopMarker()) {
                ledger.stopMarkersConsumed++;
                continue;
            }
            if (!r.last()) {
                drop(r, DropReason.IOMMU_RESTART);
                continue;
            }
            int dev = deviceIndexByRid[r.rid()];
            PageRequestGroup g = dev < 0 ? null : partial[dev * Prgi.COUNT + r.prgi()];
            if (g == null) g = new PageRequestGroup(index, dev, r);
            else {
                partial[dev * Prgi.COUNT + r.prgi()] = null;
                g.append(r);
            }
            autoAnswer(g, AutoReason.IOMMU_RESTART, nowNanos);
            n++;
        }
        n += answerQueuedStalls(-1, AutoReason.IOMMU_RESTART, nowNanos);
        overflow = false;
        for (int i = 0; i < partial.length; i++) {
            PageRequestGroup g = partial[i];
            if (g == null) continue;
            partial[i] = null;
            for (int k = 0; k < g.requestCount(); k++) drop(g.request(k), DropReason.IOMMU_RESTART);
        }
        while (oldest != null) {
            PageRequestGroup g = oldest;
            close(g);
            autoAnswer(g, AutoReason.IOMMU_RESTART, nowNanos);
            n++;
        }
        if (routing.drainingCount() > 0) completeDrains();
        return n;
    }

    /** The handler failed (its actor crashed or stopped): its pending groups get Response Failure, as the kernel's handler error does. */
    public int handlerFailed(int handler, AutoReason reason, long nowNanos) {
        int n = 0;
        PageRequestGroup g = oldest;
        while (g != null) {
            PageRequestGroup next = g.nextOutstanding;
            if (g.handler() == handler) {
                close(g);
                autoAnswer(g, reason, nowNanos);
                n++;
            }
            g = next;
        }
        return n;
    }

    /** Answers everything still pending with {@code reason}: for teardown of the whole unit. Queued requests are processed first. */
    public int answerAll(AutoReason reason, long nowNanos) {
        while (backlog() > 0) drain(Integer.MAX_VALUE, nowNanos);
        int n = 0;
        while (oldest != null) {
            PageRequestGroup g = oldest;
            close(g);
            autoAnswer(g, reason, nowNanos);
            n++;
        }
        for (int i = 0; i < partial.length; i++) if (partial[i] != null) discardPartialSlot(i);
        return n;
    }

    private void answerPendingOf(int rid, int pasid, AutoReason reason, long nowNanos) {
        int dev = deviceIndexByRid[rid];
        if (stalls(dev)) {
            // the stalls of (SID, SSID) read by software; those still queued find no handler when read (ABORT, NO_HANDLER)
            answerDispatchedStalls(dev, g -> handleOf(g) == pasid, reason, nowNanos);
            return;
        }
        for (int p = 0; p < Prgi.COUNT; p++) {
            PageRequestGroup g = outstanding[dev * Prgi.COUNT + p];
            if (g != null && (g.pasidPresent() ? g.pasid() : RoutingTable.NO_PASID) == pasid) {
                close(g);
                autoAnswer(g, reason, nowNanos);
            }
        }
    }

    /** The stalls of device {@code dev} dispatched to handlers that {@code which} selects, answered with {@code reason}. */
    private int answerDispatchedStalls(int dev, java.util.function.Predicate<PageRequestGroup> which, AutoReason reason, long nowNanos) {
        int n = 0;
        PageRequestGroup g = oldest;
        while (g != null) {
            PageRequestGroup next = g.nextOutstanding;
            if (g.isStall() && g.deviceIndex() == dev && which.test(g)) {
                close(g);
                autoAnswer(g, reason, nowNanos);
                n++;
            }
            g = next;
        }
        return n;
    }

    private void completeDrains() {
        routing.forEachDraining((key, ignored) -> {
            int rid = (int) (key >>> 21);
            int pasid = (int) (key & ((1 << 21) - 1));
            if (!queueHolds(rid, pasid)) drained(rid, pasid);
        });
    }

    private void drained(int rid, int pasid) {
        // its groups flushed: requests assembled under the old attachment must not join a group of the next one
        int dev = deviceIndexByRid[rid];
        for (int p = 0; p < Prgi.COUNT; p++) {
            PageRequestGroup g = partial[dev * Prgi.COUNT + p];
            if (g != null && handleOf(g) == pasid) discardPartialSlot(dev * Prgi.COUNT + p);
        }
        routing.freeDrained(rid, pasid);
        ledger.pasidsDrained++;
        out.drained(rid, pasid);
    }

    /** Does the queue still hold a request of (RID, PASID)? The drain waits for this to be false. */
    public boolean queueHolds(int rid, int pasid) {
        for (int i = 0; i < size; i++) {
            PageRequest r = ring[(head + i) % ring.length];
            if (r.rid() == rid && handleOf(r) == pasid) return true;
        }
        return stalls != null && stalls.holds(rid, pasid);
    }

    private int requireDevice(int rid) {
        int dev = deviceIndexOf(rid);
        if (dev < 0) throw new IllegalArgumentException("rid " + new Rid(rid) + " is not a device of IOMMU " + index);
        return dev;
    }

    private void autoAnswer(PageRequestGroup g, AutoReason reason, long nowNanos) {
        g.answer(reason.code(), reason);
        ledger.autoSent[reason.ordinal()]++;
        if (g.isStall()) stalls.resumed(g);
        out.respond(g);
    }

    private void drop(PageRequest r, DropReason reason) {
        ledger.dropped[reason.ordinal()]++;
        out.dropped(r, reason);
    }

    private void discardPartial(int dev, int prgi) {
        int slot = dev * Prgi.COUNT + prgi;
        if (partial[slot] != null) discardPartialSlot(slot);
    }

    private void discardPartialSlot(int slot) {
        PageRequestGroup g = partial[slot];
        partial[slot] = null;
        for (int i = 0; i < g.requestCount(); i++) drop(g.request(i), DropReason.PARTIAL_DISCARDED);
    }

    private void link(PageRequestGroup g) {
        g.outstanding = true;
        g.prevOutstanding = newest;
        g.nextOutstanding = null;
        if (newest == null) oldest = g; else newest.nextOutstanding = g;
        newest = g;
        outstandingCount++;
    }

    private void close(PageRequestGroup g) {
        if (!g.isStall()) outstanding[g.deviceIndex() * Prgi.COUNT + g.prgi()] = null;
        if (g.prevOutstanding == null) oldest = g.nextOutstanding; else g.prevOutstanding.nextOutstanding = g.nextOutstanding;
        if (g.nextOutstanding == null) newest = g.prevOutstanding; else g.nextOutstanding.prevOutstanding = g.prevOutstanding;
        g.prevOutstanding = null;
        g.nextOutstanding = null;
        g.outstanding = false;
        outstandingCount--;
    }
}
