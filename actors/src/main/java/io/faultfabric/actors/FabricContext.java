package io.faultfabric.actors;

import io.faultfabric.engine.DeviceState;
import io.faultfabric.engine.IommuCore;
import io.faultfabric.engine.IommuOutput;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.check.OwnerChecker;
import io.faultfabric.engine.check.Violations;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.topology.Topology;
import org.apache.pekko.actor.typed.ActorRef;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What every actor of one fabric shares, read-only after start: the topology, the settings, the
 * seed, each owner's policy, and the directories from indices to actor refs. Keeping this out of
 * each actor is what keeps an idle owner actor small.
 */
public final class FabricContext {
    private final Topology topology;
    private final FabricSettings settings;
    private final long seed;
    private final IntFunction<FaultPolicy> policies;
    private final Violations violations;
    private final OwnerChecker ownerChecker;
    private final OwnerCounters ownerCounters = new OwnerCounters();
    private final AtomicReferenceArray<ActorRef<IommuUnit.Command>> iommus;
    private final AtomicReferenceArray<ActorRef<IoasidOwner.Command>> owners;
    private final AtomicReferenceArray<ActorRef<VIommu.Command>> viommus;
    private final AtomicReferenceArray<ActorRef<Device.Command>> devices;

    public FabricContext(Topology topology, FabricSettings settings, long seed, IntFunction<FaultPolicy> policies) {
        this.topology = topology;
        this.settings = settings;
        this.seed = seed;
        this.policies = policies;
        this.violations = new Violations();
        this.ownerChecker = new OwnerChecker(topology.mode(), new OwnerChecker.Ownership() {
            @Override public int ownerOfIoasid(int ioasid) { return topology.ownerOfIoasid(ioasid); }
            @Override public int ownerOfDevice(int rid) { return topology.deviceOwnerOf(topology.deviceOfRid(rid)); }
        }, violations);
        this.iommus = new AtomicReferenceArray<>(topology.iommuCount());
        this.owners = new AtomicReferenceArray<>(topology.ownerCount());
        this.viommus = new AtomicReferenceArray<>(topology.viommuCount());
        this.devices = new AtomicReferenceArray<>(topology.deviceCount());
    }

    private volatile boolean publishResponses;

    /**
     * Devices keep answered groups for a subscriber (the embedding API's responses stream) from the
     * start, so none is missed before the subscriber attaches; they stop issuing while an allocation's
     * worth is unconsumed. Set before the fabric starts.
     */
    public void publishResponses(boolean on) { this.publishResponses = on; }

    public boolean publishResponses() { return publishResponses; }

    private volatile org.apache.pekko.actor.typed.Behavior<Object> ownerGateway;

    /**
     * Cluster mode: owners live elsewhere (sharded, see {@link ClusterOwners}); the fabric spawns this gateway
     * instead of owner actors and maps every owner index to it. Set before the fabric starts; null (the default)
     * keeps owners local.
     */
    public void ownerGateway(org.apache.pekko.actor.typed.Behavior<Object> gateway) { this.ownerGateway = gateway; }

    public org.apache.pekko.actor.typed.Behavior<Object> ownerGateway() { return ownerGateway; }

    private volatile GroupObserver groupObserver;

    /** An observer of every answered group, told by its device (see {@link GroupObserver}); null for none. Set before the fabric starts. */
    public void groupObserver(GroupObserver o) { this.groupObserver = o; }

    public GroupObserver groupObserver() { return groupObserver; }

    /**
     * Message faults on the leg between IOMMU units and handlers, for failure injection (dropped, duplicated, forged,
     * delayed or reordered messages): while one is set, units hand groups and handlers send their answers through it.
     * Implementations are called from many actors at once.
     */
    public interface Interposer {
        /** Unit to handler: deliver {@code fault} to {@code handler} (by telling it), later, twice or not at all. */
        void dispatch(PageRequestGroup group, ActorRef<IoasidOwner.Command> handler, IoasidOwner.Fault fault);

        /** Handler {@code from} to unit: deliver its {@code answer} to {@code unit}, later, twice or not at all, or forge others. */
        void answer(PageRequestGroup group, int from, ActorRef<IommuUnit.Command> unit, IommuUnit.Command answer);
    }

    private volatile Interposer interposer;

    /** Puts message faults on the unit-handler leg ({@code null}: messages go straight, the default). Any time. */
    public void interposer(Interposer i) { this.interposer = i; }

    public Interposer interposer() { return interposer; }

    private volatile Duration driverRecovery;

    /**
     * How long a device's driver takes to notice a Response Failure and reset the function (PRI back on), or null: it
     * never does, and the device's PRI stays off until someone resets it (the default). Any time.
     */
    public void driverRecovery(Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) throw new IllegalArgumentException("driverRecovery must be > 0, was " + d);
        this.driverRecovery = d;
    }

    public Duration driverRecovery() { return driverRecovery; }

    /**
     * Test only: a way to break the fabric on purpose, so that tests prove the checkers catch each kind of bug. Every
     * method's default is the real thing; {@link #NONE} changes nothing. No production code sets one.
     */
    public interface Sabotage {
        Sabotage NONE = new Sabotage() {};

        /** What unit {@code iommu}'s rules ask of the fabric (dispatch, respond, drained), and its rules themselves. */
        default IommuOutput iommuOutput(int iommu, IommuOutput real, Supplier<IommuCore> core) { return real; }

        /** Device {@code device}'s own PRI bookkeeping: its credits and its response to Response Failure. */
        default DeviceState deviceState(int device, int[] rids, int allocation) { return new DeviceState(rids, allocation); }

        /** The same for any device: a stalling one (SMMUv3 stall model) gets its stall bookkeeping, a PRI one the above. */
        default DeviceState deviceState(int device, int[] rids, int allocation, boolean stalls) {
            return stalls ? new DeviceState(rids, allocation, true) : deviceState(device, rids, allocation);
        }
    }

    private Sabotage sabotage = Sabotage.NONE;

    /** Test only (see {@link Sabotage}); set before the fabric starts. */
    public void sabotage(Sabotage s) { this.sabotage = Objects.requireNonNull(s, "sabotage"); }

    public Sabotage sabotage() { return sabotage; }

    private ServiceClock serviceClock;

    /** The fabric's service clock, made on first use from the settings (see {@link FabricSettings.ServiceClockKind}). */
    public synchronized ServiceClock serviceClock(org.apache.pekko.actor.typed.ActorSystem<?> system) {
        if (serviceClock == null) {
            FabricSettings.ServiceClockKind kind = settings.serviceClock();
            if (kind == FabricSettings.ServiceClockKind.AUTO) {
                boolean manual = system.settings().config().getString("pekko.scheduler.implementation").contains("ExplicitlyTriggeredScheduler");
                kind = manual ? FabricSettings.ServiceClockKind.SCHEDULER : FabricSettings.ServiceClockKind.PRECISE;
            }
            serviceClock = kind == FabricSettings.ServiceClockKind.PRECISE
                ? ServiceClock.precise("faultfabric-service-clock-" + system.name()) : ServiceClock.scheduler(system);
        }
        return serviceClock;
    }

    /** Stops the service clock's thread (the fabric stopped). */
    public synchronized void closeServiceClock() {
        if (serviceClock != null) serviceClock.close();
        serviceClock = null;
    }

    public Topology topology() { return topology; }
    public FabricSettings settings() { return settings; }
    public long seed() { return seed; }
    public FaultPolicy policy(int owner) { return policies.apply(owner); }
    /** Violations found by checks that run inside actors (owners, devices); shared, locked only to record. */
    public Violations violations() { return violations; }
    public OwnerChecker ownerChecker() { return ownerChecker; }
    /** Rare owner-side events (uAPI refusals, full queues), counted fabric-wide so that owners keep no counters. */
    public OwnerCounters ownerCounters() { return ownerCounters; }

    public ActorRef<IommuUnit.Command> iommu(int i) { return iommus.get(i); }
    public ActorRef<IoasidOwner.Command> owner(int i) { return owners.get(i); }
    public ActorRef<VIommu.Command> viommu(int i) { return viommus.get(i); }
    public ActorRef<Device.Command> device(int i) { return devices.get(i); }

    void registerIommu(int i, ActorRef<IommuUnit.Command> ref) { iommus.set(i, ref); }
    void registerOwner(int i, ActorRef<IoasidOwner.Command> ref) { owners.set(i, ref); }
    void registerViommu(int i, ActorRef<VIommu.Command> ref) { viommus.set(i, ref); }
    void registerDevice(int i, ActorRef<Device.Command> ref) { devices.set(i, ref); }
}
