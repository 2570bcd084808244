package io.faultfabric.streams;

import io.faultfabric.actors.Device;
import io.faultfabric.actors.FabricContext;
import io.faultfabric.actors.Fabric;
import io.faultfabric.actors.FabricSettings;
import io.faultfabric.actors.IommuUnit;
import io.faultfabric.engine.GroupResponse;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.Pasid;
import io.faultfabric.engine.Rid;
import io.faultfabric.engine.check.LedgerCheck;
import io.faultfabric.engine.check.Violations;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.workload.FaultSequence;
import io.faultfabric.engine.workload.LoadProfile;
import io.faultfabric.engine.workload.PasidChoice;
import org.HdrHistogram.Histogram;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The embedding API: a fabric started inside the caller's own ActorSystem (no second system, no
 * global state), fed by the caller's streams and read through the caller's streams.
 *
 * <pre>{@code
 * FaultFabric fabric = FaultFabric.builder(system, topology).seed(42).start().toCompletableFuture().join();
 * Source.from(requests).runWith(fabric.pageRequests(rid), system);
 * fabric.responses().runForeach(r -> ..., system);
 * fabric.shutdown();
 * }</pre>
 */
public final class FaultFabric {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ActorSystem<?> system;
    private final Topology topology;
    private final FabricContext ctx;
    private final ActorRef<Fabric.Command> guardian;
    private final Duration askTimeout;
    private final AtomicBoolean responsesTaken = new AtomicBoolean();
    private final AtomicBoolean shutDown = new AtomicBoolean();
    private volatile io.faultfabric.actors.OwnerGateway.Counters clusterCounters;

    private FaultFabric(ActorSystem<?> system, Topology topology, FabricContext ctx, ActorRef<Fabric.Command> guardian) {
        this.system = system;
        this.topology = topology;
        this.ctx = ctx;
        this.guardian = guardian;
        this.askTimeout = ctx.settings().responseTimeout().multipliedBy(4).plusSeconds(30);
    }

    public static Builder builder(ActorSystem<?> system, Topology topology) {
        return new Builder(system, topology);
    }

    /** Starts with settings from {@code system}'s config ({@code faultfabric { }}), validated. */
    public static CompletionStage<FaultFabric> start(ActorSystem<?> system, Topology topology) {
        return builder(system, topology).start();
    }

    public static CompletionStage<FaultFabric> start(ActorSystem<?> system, Topology topology, FabricSettings settings) {
        return builder(system, topology).settings(settings).start();
    }

    public Topology topology() { return topology; }

    /** Cluster mode ({@link Builder#ownersOnCluster}): what the owner gateway counted; null when owners are local. */
    public io.faultfabric.actors.OwnerGateway.Counters clusterCounters() { return clusterCounters; }

    public FabricSettings settings() { return ctx.settings(); }

    /** The shared context, for code that talks to the actors directly (fault injection, tests). */
    public FabricContext context() { return ctx; }

    /**
     * A sink for page requests of the device that has function {@code rid}. The device takes them
     * only while it holds credits, so the caller's stream is backpressured by the hardware's flow control.
     * A request for another RID fails the stream.
     */
    public Sink<PageRequest, NotUsed> pageRequests(int rid) {
        requireRunning();
        int device = deviceOf(rid);
        int[] rids = topology.deviceRids(device);
        return Flow.<PageRequest>create()
            .map(r -> {
                for (int f : rids) if (f == r.rid()) return r;
                throw new IllegalArgumentException("pageRequests(" + new Rid(rid) + ") got " + r + ": its RID is not a function of that device");
            })
            .to(DeviceFeeds.requests(ctx.device(device), ctx.settings().deviceBatch()));
    }

    /**
     * Every Page Group Response the devices receive, as one stream; needs {@link Builder#withResponses()}.
     * It may be taken and run once: a second call throws, and so does a second run of the source. Devices keep their answered groups from the start, so none is missed if the
     * stream is run after requests began; a device whose responses are not consumed stops issuing once an
     * allocation's worth waits (backpressure reaches the sources). Per device, at most this many groups are
     * answered and not yet consumed: 2N-1 at the device (N-1 waiting when it last issued, N then in flight),
     * a batch of up to 2N-1 in its ActorSource and one in the flattening, and one response in the merge.
     */
    public Source<GroupResponse, NotUsed> responses() {
        requireRunning();
        if (!ctx.publishResponses()) {
            throw new IllegalStateException("responses() needs the fabric started with Builder.withResponses()");
        }
        if (!responsesTaken.compareAndSet(false, true)) {
            throw new IllegalStateException("responses() may be run once per fabric; broadcast it with BroadcastHub for several consumers");
        }
        int n = topology.deviceCount();
        // flattened inside each device's substream: the merge then holds one response per device, not one batch
        Source<GroupResponse, NotUsed> all = Source.range(0, n - 1)
            .flatMapMerge(n, d -> DeviceFeeds.responses(ctx.device(d)).mapConcat(FaultFabric::responsesOf));
        // a second run would take the devices' subscriptions from the first, and each would see only part of the responses;
        // checked as the source is materialized, in the caller's thread, so the second run() itself throws
        AtomicBoolean run = new AtomicBoolean();
        return all.mapMaterializedValue(m -> {
            if (!run.compareAndSet(false, true)) {
                throw new IllegalStateException("the source from responses() has been run already; it may be run once: broadcast it with "
                    + "BroadcastHub for several consumers");
            }
            return m;
        });
    }

    private static List<GroupResponse> responsesOf(List<PageRequestGroup> groups) {
        long now = System.nanoTime();
        List<GroupResponse> out = new ArrayList<>(groups.size());
        for (PageRequestGroup g : groups) out.add(GroupResponse.of(g, now));
        return out;
    }

    /**
     * Time between two releases of one device's open-model tickets. The devices' release points are spread evenly over it
     * (device d releases at {@code start + d * quantum / devices + k * quantum}), so the fabric sees a steady stream of
     * small batches, never all devices at once; a ticket is released at most this late after its intended time, and its
     * latency from the intended time includes that. Smaller is smoother and costs more wake-ups, which run on the data
     * plane's threads: at 1 M groups/s over 256 devices, 2 ms makes releases of about eight tickets, 128,000 a second.
     * Measured on the project's 2-core machine (docs/benchmarks.md), 1 ms raised the in-engine p50 at half the maximum
     * rate to 145-158 us against 43 us at 2 ms, and 4 ms gave 51-61 us with twice the lag behind the schedule.
     */
    public static final Duration PACING_QUANTUM = Duration.ofMillis(2);

    /** Tickets a device takes in one release at most: a device that is behind catches up in arrays of this many. */
    static final int MAX_RELEASE = 512;

    /**
     * Seeded faults for device {@code device} at the intended times of {@code profile}'s share for it: open models release
     * them at the device's own release points (see {@link #PACING_QUANTUM}) on the fabric's service clock.
     */
    public Source<long[], NotUsed> tickets(int device, LoadProfile profile, long seed, long startNanos, long limit, long deadlineNanos) {
        requireRunning();
        checkDevice(device);
        if (limit < 1) throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        if (profile instanceof LoadProfile.Closed) return Pacer.closed(limit, 64);
        long quantum = PACING_QUANTUM.toNanos();
        long phase = Pacer.phase(device, topology.deviceCount(), quantum);
        return Pacer.open(profile.schedule(topology.deviceCount(), seed, device), startNanos, limit, deadlineNanos,
            quantum, phase, MAX_RELEASE, Pacer.Clock.of(ctx.serviceClock(system)));
    }

    /**
     * Where a device takes fault tickets (from {@link #tickets}); {@code maxOutstanding} bounds its groups in flight. The
     * sink's value completes once the stream has ended and the device has issued every ticket it was given (the
     * stream itself ends earlier: its last tickets may still wait in the sink's buffer and at the device).
     */
    public Sink<long[], CompletionStage<Done>> faultTickets(int device, int maxOutstanding) {
        return faultTickets(device, maxOutstanding, Device.NO_DEADLINE);
    }

    /**
     * As {@link #faultTickets(int, int)}, for a load that ends at {@code deadlineNanos} (System.nanoTime): tickets the
     * device has taken and not yet issued by then are dropped, as the stream's buffers may hold thousands when the
     * device is behind.
     */
    public Sink<long[], CompletionStage<Done>> faultTickets(int device, int maxOutstanding, long deadlineNanos) {
        requireRunning();
        checkDevice(device);
        if (maxOutstanding < 1) throw new IllegalArgumentException("maxOutstanding must be >= 1, was " + maxOutstanding);
        return DeviceFeeds.tickets(ctx.device(device), maxOutstanding, deadlineNanos);
    }

    /**
     * Attach IOASID {@code ioasid} at (RID, PASID). Like every control operation here, a bad argument (a RID of no
     * device, a PASID out of range, an IOASID the topology does not have) or a refusal (the PASID attached or still
     * draining) fails the stage with a message and changes nothing.
     */
    public CompletionStage<Done> attach(int rid, int pasid, int ioasid) {
        return checked(() -> {
            checkPasid(pasid);
            checkIoasid(ioasid);
            return askUnit(rid, ref -> new IommuUnit.Attach(rid, pasid, ioasid, ref));
        });
    }

    /** Detach (teardown) of (RID, PASID): completes once the PASID is drained and may be reused. */
    public CompletionStage<Done> detach(int rid, int pasid) {
        return checked(() -> {
            checkPasid(pasid);
            return askUnit(rid, ref -> new IommuUnit.Detach(rid, pasid, ref));
        });
    }

    /** Switch the page table at an attached (RID, PASID) to {@code ioasid}: the old owner's pending groups are answered Invalid. */
    public CompletionStage<Done> replace(int rid, int pasid, int ioasid) {
        return checked(() -> {
            checkPasid(pasid);
            checkIoasid(ioasid);
            return askUnit(rid, ref -> new IommuUnit.Replace(rid, pasid, ioasid, ref));
        });
    }

    /** The device stops using the PASID (stop marker), then the PASID is torn down and drained. */
    public CompletionStage<Done> stopPasid(int rid, int pasid) {
        return checked(() -> {
            checkPasid(pasid);
            int device = deviceOf(rid);
            return AskPattern.<Device.Command, StatusReply<Done>>ask(ctx.device(device), ref -> new Device.StopPasid(rid, pasid, ref),
                askTimeout, system.scheduler()).thenCompose(FaultFabric::unwrap);
        });
    }

    /** Function-level reset of the device that has {@code rid}: completes when it has PRI back. */
    public CompletionStage<Done> resetDevice(int rid) {
        return checked(() -> {
            int device = deviceOf(rid);
            return AskPattern.<Device.Command, StatusReply<Done>>ask(ctx.device(device), Device.Reset::new, askTimeout, system.scheduler())
                .thenCompose(FaultFabric::unwrap);
        });
    }

    /** A control operation whose checks (arguments, a fabric shut down) fail the stage, rather than throw at the caller. */
    private CompletionStage<Done> checked(java.util.function.Supplier<CompletionStage<Done>> operation) {
        try {
            requireRunning();
            return operation.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            return failed(e);
        }
    }

    /** After shutdown the fabric's actors are gone: an ask would only time out, a sink would only be cancelled. */
    private void requireRunning() {
        if (shutDown.get()) throw new IllegalStateException("the fabric is shut down");
    }

    /** Counters of every device and unit, merged, with the invariant violations found so far. */
    public CompletionStage<FabricSnapshot> snapshot() {
        if (shutDown.get()) {
            return failed(new IllegalStateException("the fabric is shut down; its last snapshot is the one shutdown() returned"));
        }
        return collect();
    }

    private CompletionStage<FabricSnapshot> collect() {
        return AskPattern.<Fabric.Command, Fabric.Snapshot>ask(guardian, Fabric.SnapshotAll::new, askTimeout, system.scheduler())
            .thenApply(s -> combine(s.devices(), s.iommus()));
    }

    /**
     * Stops the devices taking more work, answers every group still pending (reason SHUTDOWN), waits
     * until every device has its answers, checks the end-of-run invariants, and stops the fabric's actors.
     * The caller's ActorSystem keeps running. The responses() stream completes once the last answers are in it;
     * a request stream still running is cancelled. From the call on, a second shutdown fails ("the fabric is already
     * shut down") and so does every other operation ("the fabric is shut down"; a failed stage where it returns one).
     */
    public CompletionStage<FabricSnapshot> shutdown() {
        if (!shutDown.compareAndSet(false, true)) return failed(new IllegalStateException("the fabric is already shut down"));
        List<CompletableFuture<Done>> quiet = new ArrayList<>();
        for (int d = 0; d < topology.deviceCount(); d++) {
            quiet.add(AskPattern.<Device.Command, Done>ask(ctx.device(d), Device.Quiesce::new, askTimeout, system.scheduler()).toCompletableFuture());
        }
        return CompletableFuture.allOf(quiet.toArray(new CompletableFuture[0]))
            .thenCompose(x -> settle(0))
            .thenCompose(snap -> endResponses())
            .thenCompose(ended -> {
                // the guardian's shutdown runs the end-of-run checks: lost groups (each with what its device knows) and the counts
                return AskPattern.<Fabric.Command, Fabric.Snapshot>ask(guardian, Fabric.Shutdown::new, askTimeout, system.scheduler())
                    .thenApply(this::finalSnapshot);
            });
    }

    /**
     * Ends every device's response subscription and waits until each subscriber has had its end: a device stopped
     * while its last batch awaited the subscriber's ack would leave the responses() stream open for ever. A consumer
     * that takes nothing more keeps a device from ending; after the ask timeout the shutdown goes on without it.
     */
    private CompletionStage<Done> endResponses() {
        List<CompletableFuture<Done>> ended = new ArrayList<>();
        for (int d = 0; d < topology.deviceCount(); d++) {
            ended.add(AskPattern.<Device.Command, Done>ask(ctx.device(d), Device.EndResponses::new, askTimeout, system.scheduler())
                .toCompletableFuture().exceptionally(t -> Done.getInstance()));
        }
        return CompletableFuture.allOf(ended.toArray(new CompletableFuture[0])).thenApply(x -> Done.getInstance());
    }

    /** Answers what is pending at every unit, then checks whether the devices have it all; repeats while responses are in flight. */
    private CompletionStage<FabricSnapshot> settle(int round) {
        List<CompletableFuture<IommuUnit.Snapshot>> units = new ArrayList<>();
        for (int i = 0; i < topology.iommuCount(); i++) {
            units.add(AskPattern.<IommuUnit.Command, IommuUnit.Snapshot>ask(ctx.iommu(i), IommuUnit.Shutdown::new, askTimeout,
                system.scheduler()).toCompletableFuture());
        }
        return CompletableFuture.allOf(units.toArray(new CompletableFuture[0]))
            .thenCompose(x -> collect())
            .thenCompose(s -> {
                if (s.outstandingGroups() == 0 || round >= 100) return CompletableFuture.completedFuture(s);
                return org.apache.pekko.pattern.Patterns.after(Duration.ofMillis(10), system.classicSystem().scheduler(),
                    system.executionContext(), () -> settle(round + 1));
            });
    }

    private FabricSnapshot finalSnapshot(Fabric.Snapshot stopped) {
        FabricSnapshot s = combine(stopped.devices(), stopped.iommus());
        return new FabricSnapshot(s.ledger(), s.latencyMicros(), stopped.violations(), s.outstandingGroups(), s.creditsInUse(),
            s.maxQueueDepth(), s.overflowingUnits(), s.devices(), s.iommus());
    }

    private FabricSnapshot combine(List<Device.Snapshot> devs, List<IommuUnit.Snapshot> units) {
        OutcomeLedger ledger = new OutcomeLedger();
        Histogram latency = new Histogram(3_600_000_000L, 3);
        long outstanding = 0;
        long credits = 0;
        long inFlight = 0;
        for (Device.Snapshot d : devs) {
            ledger.merge(d.ledger());
            latency.add(d.latencyMicros());
            outstanding += d.checkerOutstanding();
            credits += d.creditsInUse();
            inFlight += d.checkerInFlight();
        }
        int maxDepth = 0;
        int overflowing = 0;
        for (IommuUnit.Snapshot u : units) {
            ledger.merge(u.ledger());
            maxDepth = Math.max(maxDepth, u.queueDepth());
            if (u.overflowing()) overflowing++;
        }
        Violations v = new Violations();
        v.merge(ctx.violations());
        LedgerCheck.check(ledger, outstanding, inFlight, false, v);
        return new FabricSnapshot(ledger, latency, v, outstanding, credits, maxDepth, overflowing, devs, units);
    }

    private CompletionStage<Done> askUnit(int rid, java.util.function.Function<ActorRef<StatusReply<Done>>, IommuUnit.Command> make) {
        int device = deviceOf(rid);
        ActorRef<IommuUnit.Command> unit = ctx.iommu(topology.deviceIommu(device));
        return AskPattern.<IommuUnit.Command, StatusReply<Done>>ask(unit, make::apply, askTimeout, system.scheduler())
            .thenCompose(FaultFabric::unwrap);
    }

    private static CompletionStage<Done> unwrap(StatusReply<Done> r) {
        if (r.isSuccess()) return CompletableFuture.completedFuture(Done.getInstance());
        return failed(new IllegalStateException(r.getError().getMessage()));
    }

    private static <T> CompletionStage<T> failed(Throwable t) {
        return CompletableFuture.failedFuture(t);
    }

    private int deviceOf(int rid) {
        Rid.check(rid, "rid");
        int d = topology.deviceOfRid(rid);
        if (d < 0) throw new IllegalArgumentException("rid " + new Rid(rid) + " is not a function of any device in the topology");
        return d;
    }

    private void checkDevice(int device) {
        if (device < 0 || device >= topology.deviceCount()) {
            throw new IllegalArgumentException("device must be 0.." + (topology.deviceCount() - 1) + ", was " + device);
        }
    }

    private static void checkPasid(int pasid) {
        Pasid.check(pasid, "pasid");
    }

    private void checkIoasid(int ioasid) {
        if (ioasid < 0 || ioasid >= topology.ioasidCount()) {
            throw new IllegalArgumentException("ioasid must be 0.." + (topology.ioasidCount() - 1) + ", was " + ioasid);
        }
    }

    /** How to start a fabric: settings, seed, owner policies, fault shape. */
    public static final class Builder {
        private final ActorSystem<?> system;
        private final Topology topology;
        private FabricSettings settings;
        private long seed = 1;
        private IntFunction<FaultPolicy> policies = o -> FaultPolicy.DEFAULT;
        private PasidChoice choice = PasidChoice.UNIFORM;
        private int minRequests = 1;
        private int maxRequests = 1;
        private boolean responses;
        private boolean ownersOnCluster;
        private io.faultfabric.actors.ClusterSettings clusterSettings;
        private io.faultfabric.actors.GroupObserver observer;

        private Builder(ActorSystem<?> system, Topology topology) {
            this.system = Objects.requireNonNull(system, "system");
            this.topology = Objects.requireNonNull(topology, "topology");
        }

        public Builder settings(FabricSettings s) { this.settings = Objects.requireNonNull(s, "settings"); return this; }
        public Builder seed(long s) { this.seed = s; return this; }
        public Builder policies(IntFunction<FaultPolicy> p) { this.policies = Objects.requireNonNull(p, "policies"); return this; }
        public Builder choice(PasidChoice c) { this.choice = Objects.requireNonNull(c, "choice"); return this; }

        /**
         * Cluster mode: {@code system} is the caller's clustered ActorSystem (see {@code faultfabric-cluster.conf} and
         * docs/cluster.md). Devices and IOMMU units run here; owners are sharded entities on nodes of role
         * {@code owners}, reached through an owner gateway. OWNER routing mode only.
         */
        public Builder ownersOnCluster() {
            if (topology.mode() != io.faultfabric.engine.RoutingMode.OWNER) {
                throw new IllegalArgumentException("ownersOnCluster: cluster mode shards IOASID owners; DEVICE routing mode is not supported");
            }
            this.ownersOnCluster = true;
            return this;
        }

        /**
         * Cluster mode's re-send settings ({@link #ownersOnCluster()}); by default they are read from
         * {@code faultfabric.cluster} of the system's config. Checked against the fabric's response timeout at start.
         */
        public Builder clusterSettings(io.faultfabric.actors.ClusterSettings c) {
            this.clusterSettings = Objects.requireNonNull(c, "clusterSettings");
            return this;
        }

        /** Makes {@link FaultFabric#responses()} available; then its consumer's speed paces the devices. */
        public Builder withResponses() { this.responses = true; return this; }

        /**
         * Each device tells {@code o} of every group it gets a response for, with the latency it recorded, on its own
         * thread; unlike {@link #withResponses()} this adds no stream and no backpressure to what is measured.
         */
        public Builder observeGroups(io.faultfabric.actors.GroupObserver o) { this.observer = Objects.requireNonNull(o, "observer"); return this; }

        public Builder requestsPerGroup(int min, int max) {
            FaultSequence.checkRequestsPerGroup(min, max);
            this.minRequests = min;
            this.maxRequests = max;
            return this;
        }

        /** Spawns the fabric's actors under the caller's system; completes when every actor is up. */
        public CompletionStage<FaultFabric> start() {
            for (int d = 0; d < topology.deviceCount(); d++) {
                if (maxRequests > topology.deviceAllocation(d)) {
                    // a group larger than the device's credits could never be issued: the device would stall forever
                    throw new IllegalArgumentException("requestsPerGroup max " + maxRequests + " exceeds device " + d
                        + "'s outstanding allocation of " + topology.deviceAllocation(d) + " requests; allowed: 1.."
                        + topology.deviceAllocation(d));
                }
            }
            FabricSettings s = settings != null ? settings : FabricSettings.fromConfig(system.settings().config());
            FabricSettings.requireDispatcher(system.settings().config(), s.dispatcher());
            FabricContext ctx = new FabricContext(topology, s, seed, policies);
            ctx.publishResponses(responses);
            io.faultfabric.actors.OwnerGateway.Counters counters = null;
            CompletionStage<?> ownersReady = java.util.concurrent.CompletableFuture.completedFuture(null);
            if (ownersOnCluster) {
                java.util.EnumSet<io.faultfabric.engine.OwnerKind> served = java.util.EnumSet.noneOf(io.faultfabric.engine.OwnerKind.class);
                for (int o = 0; o < topology.ownerCount(); o++) served.add(topology.ownerKind(o));
                served.remove(io.faultfabric.engine.OwnerKind.HOST_SVA);
                if (!served.isEmpty()) {
                    system.log().warn("cluster mode serves owners of kinds {} as SVA owners: their iommufd fault fd and vIOMMU paths are "
                        + "not modelled across nodes (docs/cluster.md)", served);
                }
                io.faultfabric.actors.ClusterSettings cs = clusterSettings != null ? clusterSettings.checkedAgainst(s)
                    : io.faultfabric.actors.ClusterSettings.fromConfig(system.settings().config(), s);
                counters = new io.faultfabric.actors.OwnerGateway.Counters();
                var region = io.faultfabric.actors.ClusterOwners.init(system);
                // the fabric is started once every owner shard has a home: no group waits for a cold allocation
                var homes = io.faultfabric.actors.ClusterOwners.warmShards(system, region, topology.ioasidOwnerCount(), Duration.ofSeconds(60));
                ownersReady = homes;
                ctx.ownerGateway(io.faultfabric.actors.OwnerGateway.create(ctx, region,
                    io.faultfabric.actors.ClusterOwners.shardCount(system.settings().config()), counters, cs, homes));
            }
            io.faultfabric.actors.OwnerGateway.Counters gatewayCounters = counters;
            ctx.groupObserver(observer);
            IntFunction<FaultSequence> faults = d -> new FaultSequence(seed, topology, d, choice, minRequests, maxRequests);
            ActorRef<Fabric.Command> guardian = system.systemActorOf(Fabric.create(ctx, faults, null),
                "faultfabric-" + INSTANCES.incrementAndGet(), DispatcherSelector.fromConfig(s.dispatcher()));
            Duration timeout = Duration.ofSeconds(60 + topology.ownerCount() / 10_000);
            return AskPattern.<Fabric.Command, Fabric.Started>ask(guardian, Fabric.GetStarted::new, timeout, system.scheduler())
                .thenCombine(ownersReady, (started, ready) -> started)
                .thenApply(started -> {
                    FaultFabric f = new FaultFabric(system, topology, ctx, guardian);
                    f.clusterCounters = gatewayCounters;
                    return f;
                });
        }
    }
}
