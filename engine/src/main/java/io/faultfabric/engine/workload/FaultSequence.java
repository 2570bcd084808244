package io.faultfabric.engine.workload;

import io.faultfabric.engine.DeviceState;
import io.faultfabric.engine.Mix;
import io.faultfabric.engine.PageAddress;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.Permissions;
import io.faultfabric.engine.topology.Topology;

import java.util.function.Consumer;

/**
 * The faults one device issues, reproducible from a seed: group k of the device has its function,
 * PASID, size and addresses drawn from hash(seed, device, k), whatever thread or order runs it. A stalling device
 * (SMMUv3 stall model) issues one faulting transaction per fault: a single request, L=1, whatever the group sizes; its
 * PRGI field is 0 and means nothing (the SMMU gives the stall its STAG).
 */
public final class FaultSequence {
    private final long seed;
    private final int pfRid;
    private final int[] rids;
    private final int pasidBase;
    private final int pasidsPerFunction;
    private final PasidChoice choice;
    private final int minRequests;
    private final int maxRequests;
    private final boolean stalls;
    private long next;

    /**
     * The most page requests the workload model puts in one group: its own choice. PCIe sets no such bound (a group
     * ends with its L=1 request); a device's outstanding allocation is what limits a group, and callers check that too.
     */
    public static final int MAX_REQUESTS = 512;

    /** Refuses a requests-per-group range outside {@code 1 <= min <= max <=} {@link #MAX_REQUESTS}. */
    public static void checkRequestsPerGroup(int min, int max) {
        if (min < 1 || max < min || max > MAX_REQUESTS) {
            throw new IllegalArgumentException("requestsPerGroup must satisfy 1 <= min <= max <= " + MAX_REQUESTS + ", were " + min + ".." + max);
        }
    }

    public FaultSequence(long seed, Topology topology, int device, PasidChoice choice, int minRequests, int maxRequests) {
        checkRequestsPerGroup(minRequests, maxRequests);
        this.seed = seed;
        this.rids = topology.deviceRids(device);
        this.pfRid = rids[0];
        this.pasidBase = topology.pasidOf(device, 0);
        this.pasidsPerFunction = topology.pasidsPerFunction(device);
        if (pasidsPerFunction < 1) throw new IllegalArgumentException("device " + device + " has no PASIDs bound to fault on");
        this.choice = java.util.Objects.requireNonNull(choice, "choice");
        this.minRequests = minRequests;
        this.maxRequests = maxRequests;
        this.stalls = topology.deviceStalls(device);
    }

    /** Groups drawn so far: the next group's sequence number. */
    public long drawn() { return next; }

    /** Size of the next group, so the caller can check credits before drawing it. */
    public int nextSize() {
        if (stalls) return 1;
        if (minRequests == maxRequests) return minRequests;
        long h = Mix.hash(seed, pfRid, next, 1);
        return minRequests + (int) (Mix.unit(h) * (maxRequests - minRequests + 1));
    }

    /**
     * Draws the next group, if the device has a free PRGI and credits for it, and hands its requests
     * to {@code send} in order (the last with L=1). Returns the number of requests, 0 when it could not.
     */
    public int issueNext(DeviceState device, long intendedNanos, Consumer<PageRequest> send) {
        int size = nextSize();
        if (!device.canIssue(size)) return 0;
        long k = next;
        long h = Mix.hash(seed, pfRid, k, 2);
        int fn = rids.length == 1 ? 0 : (int) (Mix.unit(h) * rids.length);
        int prgi = stalls ? 0 : device.allocatePrgi(fn);
        if (prgi < 0) return 0;
        next++;
        int pasid = pasidBase + choice.pick(Mix.unit(Mix.mix(h)), pasidsPerFunction);
        // a page within the first 2^47 bytes: canonical, page aligned
        long page = (Mix.mix(h + 7) >>> 29) & ((1L << 35) - 1);
        int perm = (h & 1) == 0 ? Permissions.READ : Permissions.READ | Permissions.WRITE;
        for (int i = 0; i < size; i++) {
            PageRequest r = new PageRequest(rids[fn], pasid, true, prgi, (page + i) * PageAddress.PAGE_SIZE, perm,
                i == size - 1, intendedNanos, k);
            device.issue(r);
            send.accept(r);
        }
        return size;
    }
}
