package io.faultfabric.engine.direct;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.DeviceState;
import io.faultfabric.engine.IommuCore;
import io.faultfabric.engine.IommuOutput;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.check.DeviceChecker;
import io.faultfabric.engine.check.LedgerCheck;
import io.faultfabric.engine.check.OwnerChecker;
import io.faultfabric.engine.check.Violations;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.workload.FaultSequence;
import io.faultfabric.engine.workload.PasidChoice;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * The whole fault path on one thread with no actors: devices issue seeded faults, IOMMU units
 * queue, assemble and route them, owners answer at once by their policy, devices get their
 * credits back. The same rules as the actor fabric, so it is the correctness oracle for it and the
 * baseline its throughput is compared against. The checkers run on every fault here too.
 */
public final class DirectFabric {
    private final Topology topology;
    private final long seed;
    private final IntFunction<FaultPolicy> policies;
    private final IommuCore[] cores;
    private final DeviceState[] devices;
    private final DeviceChecker[] deviceCheckers;
    private final FaultSequence[] sequences;
    private final OwnerChecker ownerChecker;
    private final Violations violations = new Violations();
    private final ArrayDeque<PageRequestGroup> dispatched = new ArrayDeque<>();
    private final int issueBurst;

    private DirectFabric(Builder b) {
        this.topology = b.topology;
        this.seed = b.seed;
        this.policies = b.policies;
        this.issueBurst = b.issueBurst;
        int nd = topology.deviceCount();
        devices = new DeviceState[nd];
        deviceCheckers = new DeviceChecker[nd];
        sequences = new FaultSequence[nd];
        for (int d = 0; d < nd; d++) {
            int alloc = b.allocationOverride > 0 ? b.allocationOverride : topology.deviceAllocation(d);
            boolean stalls = topology.deviceStalls(d);
            devices[d] = new DeviceState(topology.deviceRids(d), alloc, stalls);
            deviceCheckers[d] = new DeviceChecker(topology.deviceRids(d), topology.deviceAllocation(d), stalls, violations);
            sequences[d] = new FaultSequence(seed, topology, d, b.choice, b.minRequests, b.maxRequests);
        }
        ownerChecker = new OwnerChecker(topology.mode(), new OwnerChecker.Ownership() {
            @Override public int ownerOfIoasid(int ioasid) { return topology.ownerOfIoasid(ioasid); }
            @Override public int ownerOfDevice(int rid) { return topology.deviceOwnerOf(topology.deviceOfRid(rid)); }
            // the PASID table as configured (and changed through core(i)), against which the router's choice is checked
            @Override public int ioasidAttachedAt(int rid, int pasid) {
                int d = topology.deviceOfRid(rid);
                return d < 0 ? -1 : cores[topology.deviceIommu(d)].routing().ioasidAt(rid, pasid);
            }
        }, violations);
        cores = new IommuCore[topology.iommuCount()];
        for (int i = 0; i < cores.length; i++) {
            IommuOutput real = new IommuOutput() {
                @Override public void dispatch(PageRequestGroup g) { dispatched.add(g); }
                @Override public void respond(PageRequestGroup g) { deliver(g); }
            };
            cores[i] = topology.newIommuCore(i, b.outputDecorator.apply(real));
        }
    }

    public static Builder builder(Topology topology) { return new Builder(topology); }

    private void deliver(PageRequestGroup g) {
        int d = topology.deviceOfRid(g.rid());
        if (d < 0) return;
        deviceCheckers[d].onResponse(g);
        devices[d].onResponse(g);
        if (deviceCheckers[d].resetting() && !devices[d].resetting()) deviceCheckers[d].onResetDone();
    }

    /** Issues {@code groups} more groups across the devices, drains everything, and returns the totals so far. */
    public RunResult run(long groups) {
        long start = System.nanoTime();
        long completedBefore = ledger().groupsCompleted();
        long target = issuedGroups() + groups;
        long issued = issuedGroups();
        int nd = devices.length;
        while (issued < target) {
            boolean progress = false;
            for (int d = 0; d < nd && issued < target; d++) {
                DeviceState dev = devices[d];
                IommuCore core = cores[topology.deviceIommu(d)];
                DeviceChecker checker = deviceCheckers[d];
                for (int k = 0; k < issueBurst && issued < target; k++) {
                    long now = System.nanoTime();
                    int n = sequences[d].issueNext(dev, now, r -> {
                        checker.onIssued(r);
                        core.offer(r, now);
                    });
                    if (n == 0) break;
                    issued++;
                    progress = true;
                }
            }
            pump();
            if (recoverFailedDevices()) progress = true;
            // pump() answered all it could: if no device could issue either, nothing will ever change
            if (!progress) {
                throw new IllegalStateException("no progress: " + (target - issued) + " groups still to issue, " + outstanding()
                    + " outstanding, and no device can issue: " + devicesThatCannotIssue());
            }
        }
        pump();
        long elapsed = System.nanoTime() - start;
        OutcomeLedger l = ledger();
        return new RunResult(l, check(), issuedGroups(), l.groupsCompleted() - completedBefore, elapsed);
    }

    /** The driver's recovery from Response Failure: it resets the device, which turns PRI back on. Returns true if any was reset. */
    private boolean recoverFailedDevices() {
        boolean any = false;
        for (int d = 0; d < devices.length; d++) {
            if (devices[d].responseFailureStatus() && !devices[d].resetting()) {
                resetDevice(d);
                any = true;
            }
        }
        return any;
    }

    /**
     * Function-level reset of device {@code device} (its PF and VFs): the device forgets its open groups, its IOMMU answers
     * its pending groups (DEVICE_RESET) and frees its partial groups, and PRI, with Response Failure cleared, is back once
     * the last group the device awaits is answered. DirectFabric does this itself after a Response Failure.
     */
    public void resetDevice(int device) {
        long now = System.nanoTime();
        deviceCheckers[device].onResetBegun();
        devices[device].beginReset();
        IommuCore core = cores[topology.deviceIommu(device)];
        for (int rid : topology.deviceRids(device)) core.resetDevice(rid, now);
        if (deviceCheckers[device].resetting() && !devices[device].resetting()) deviceCheckers[device].onResetDone();
    }

    private String devicesThatCannotIssue() {
        StringBuilder b = new StringBuilder();
        int shown = Math.min(4, devices.length);
        for (int d = 0; d < shown; d++) {
            DeviceState dev = devices[d];
            b.append(d == 0 ? "" : "; ").append("device ").append(d).append(" credits ").append(dev.creditsInUse()).append('/')
                .append(dev.allocation()).append(dev.stalls() ? " stalled transactions awaiting resume " : " groups awaiting answer ").append(dev.groupsOutstanding())
                .append(dev.priEnabled() ? "" : " PRI disabled").append(dev.resetting() ? " resetting" : "");
        }
        if (devices.length > shown) b.append("; ...");
        return b.toString();
    }

    /** Offers one request from device {@code device} as it is, for tests that write their own request streams. */
    public DeviceState.Issue send(int device, PageRequest r) {
        DeviceState.Issue st = devices[device].issue(r);
        if (st == DeviceState.Issue.ISSUED) {
            deviceCheckers[device].onIssued(r);
            cores[topology.deviceIommu(device)].offer(r, System.nanoTime());
        }
        return st;
    }

    /** Drains every queue and lets every owner answer, until nothing moves. */
    public void pump() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (IommuCore c : cores) moved |= c.drain(Integer.MAX_VALUE, System.nanoTime()) > 0;
            PageRequestGroup g;
            while ((g = dispatched.poll()) != null) {
                moved = true;
                answer(g);
            }
        }
    }

    private void answer(PageRequestGroup g) {
        int handler = g.handler();
        ownerChecker.onReceived(handler, g);
        IommuCore core = cores[g.iommu()];
        if (!core.isOutstanding(g)) return; // answered meanwhile (detach, reset): an answer now would be rejected
        // in DEVICE mode the device owner forwards to the address space's owner, whose policy decides
        int decider = topology.mode() == RoutingMode.DEVICE ? topology.ownerOfIoasid(g.ioasid()) : handler;
        FaultPolicy p = policies.apply(decider);
        FaultPolicy.Decision dec = p.decide(seed, g);
        if (dec == FaultPolicy.Decision.HANDLER_FAILS) {
            core.respond(g.rid(), g.pasid(), g.prgi(), g.groupId(), handler, ResponseCode.RESPONSE_FAILURE, AutoReason.HANDLER_FAILED);
        } else {
            core.respond(g, handler, FaultPolicy.codeFor(topology.ownerKind(decider), dec));
        }
    }

    private boolean allQueuesEmpty() {
        for (IommuCore c : cores) if (c.backlog() > 0) return false;
        return true;
    }

    public long issuedGroups() {
        long n = 0;
        for (DeviceState d : devices) n += d.ledger().groupsIssued;
        return n;
    }

    public long outstanding() {
        long n = 0;
        for (DeviceState d : devices) n += d.groupsOutstanding();
        return n;
    }

    public OutcomeLedger ledger() {
        OutcomeLedger l = new OutcomeLedger();
        for (DeviceState d : devices) l.merge(d.ledger());
        for (IommuCore c : cores) l.merge(c.ledger());
        return l;
    }

    /** Checks the end-of-run invariants (lost groups, counts add up) on a copy of the violations so far. */
    public Violations check() {
        Violations v = new Violations();
        v.merge(violations);
        long inFlight = 0;
        for (DeviceChecker c : deviceCheckers) inFlight += c.inFlight();
        boolean drained = allQueuesEmpty() && dispatched.isEmpty();
        LedgerCheck.check(ledger(), outstanding(), inFlight, drained, v);
        if (drained) for (DeviceChecker c : deviceCheckers) c.finish(v);
        return v;
    }

    public Topology topology() { return topology; }
    public IommuCore core(int iommu) { return cores[iommu]; }
    public DeviceState device(int d) { return devices[d]; }
    public DeviceChecker deviceChecker(int d) { return deviceCheckers[d]; }

    /**
     * What a run produced: totals so far (ledger, violations, groups issued) and this run's own
     * completed groups and time.
     */
    public record RunResult(OutcomeLedger ledger, Violations violations, long groupsIssued, long groupsCompletedInRun,
                            long elapsedNanos) {
        /** Groups completed per second in this run. */
        public double groupsPerSecond() {
            return elapsedNanos == 0 ? 0 : groupsCompletedInRun * 1e9 / elapsedNanos;
        }
    }

    public static final class Builder {
        private final Topology topology;
        private long seed = 1;
        private PasidChoice choice = PasidChoice.UNIFORM;
        private int minRequests = 1;
        private int maxRequests = 1;
        private IntFunction<FaultPolicy> policies = o -> FaultPolicy.DEFAULT;
        private UnaryOperator<IommuOutput> outputDecorator = UnaryOperator.identity();
        private int allocationOverride;
        private int issueBurst = 64;

        private Builder(Topology t) { this.topology = Objects.requireNonNull(t, "topology"); }

        public Builder seed(long s) { this.seed = s; return this; }
        public Builder choice(PasidChoice c) { this.choice = Objects.requireNonNull(c, "choice"); return this; }

        public Builder requestsPerGroup(int min, int max) {
            FaultSequence.checkRequestsPerGroup(min, max);
            this.minRequests = min;
            this.maxRequests = max;
            return this;
        }

        public Builder policies(IntFunction<FaultPolicy> p) { this.policies = Objects.requireNonNull(p, "policies"); return this; }

        /** How many groups a device issues before the IOMMUs drain: larger bursts fill the queues. */
        public Builder issueBurst(int n) {
            if (n < 1) throw new IllegalArgumentException("issueBurst must be >= 1, was " + n);
            this.issueBurst = n;
            return this;
        }

        /** Wraps what the IOMMUs ask for: the seam through which tests break the fabric on purpose. */
        public Builder outputDecorator(UnaryOperator<IommuOutput> d) { this.outputDecorator = Objects.requireNonNull(d, "outputDecorator"); return this; }

        /** Devices that believe their allocation is this, not the topology's: a broken device, for tests of the checker. */
        public Builder allocationOverride(int credits) { this.allocationOverride = credits; return this; }

        public DirectFabric build() {
            // a group bigger than a device's allocation could never be issued: the device would stall for good
            for (int d = 0; d < topology.deviceCount(); d++) {
                int alloc = allocationOverride > 0 ? allocationOverride : topology.deviceAllocation(d);
                if (maxRequests > alloc && !topology.deviceStalls(d)) {
                    throw new IllegalArgumentException("requestsPerGroup max " + maxRequests + " exceeds device " + d + "'s allocation " + alloc
                        + ": its groups could never be issued");
                }
            }
            return new DirectFabric(this);
        }
    }
}
