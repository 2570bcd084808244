package io.faultfabric.actors;

import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.check.LedgerCheck;
import io.faultfabric.engine.check.Violations;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.workload.FaultSequence;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * The guardian of one fabric: it spawns the actor tree of a topology and answers for it as a whole.
 * In its setup, in this order, it spawns and registers in the {@link FabricContext}: the IOMMU units
 * (devices read their unit's ref when they start), the vIOMMUs that GUEST owners sit behind, the devices,
 * each with its {@link FaultSequence}, and the owners (every IOASID owner; the device owners only in
 * DEVICE routing mode), each supervised, in blocks of {@link OwnerGroup#SIZE} under an {@link OwnerGroup}
 * that spawns and registers them in parallel with the other blocks. The fabric is {@link Started} once every
 * block has reported: traffic starts with a device, and nobody feeds a device before Started, so every ref
 * is registered before any fault flows. Children run on the data-plane dispatcher.
 *
 * <p>Protocol: {@link Started} goes to whoever {@link #create} names (and answers {@link GetStarted});
 * {@link SnapshotAll} replies with every IOMMU's, device's and vIOMMU's snapshot and the owners' totals;
 * {@link Shutdown} has every IOMMU answer what is pending (SHUTDOWN) and flush, then has every device report the groups
 * it still awaits as lost ({@link Device.Finish}), checks that the counts add up ({@link LedgerCheck}, drained), replies
 * with the final snapshot, whose violations are the run's verdict, and stops the fabric. Requests are served one at a
 * time, in order, once the fabric has started.
 */
public final class Fabric extends AbstractBehavior<Fabric.Command> {

    public interface Command {}

    /**
     * The tree is spawned and registered; traffic may start.
     *
     * @param spawnTime how long spawning and registering took
     */
    public record Started(ActorRef<Command> fabric, FabricContext context, int iommus, int viommus, int owners, int devices,
                          Duration spawnTime) {}

    public record GetStarted(ActorRef<Started> replyTo) implements Command {}

    public record SnapshotAll(ActorRef<Snapshot> replyTo) implements Command {}

    /** Answer everything pending (SHUTDOWN), run the end-of-run checks, reply with the final snapshot, and stop. */
    public record Shutdown(ActorRef<Snapshot> replyTo) implements Command {}

    /** Every unit's, device's and vIOMMU's snapshot (by index; vIOMMUs that were not spawned are absent), and the owners' totals. */
    public record Snapshot(List<IommuUnit.Snapshot> iommus, List<Device.Snapshot> devices, List<VIommu.Snapshot> viommus,
                                 OwnerCounters.Totals owners, Violations violations) {
        /** What the IOMMU units counted: dispatched, sent by code and reason, dropped, rejected. */
        public OutcomeLedger iommuLedger() {
            OutcomeLedger l = new OutcomeLedger();
            for (IommuUnit.Snapshot s : iommus) l.merge(s.ledger());
            return l;
        }

        /** What the devices counted: issued, and received by code and reason. */
        public OutcomeLedger deviceLedger() {
            OutcomeLedger l = new OutcomeLedger();
            for (Device.Snapshot s : devices) l.merge(s.ledger());
            return l;
        }

        public long creditsInUse() {
            long n = 0;
            for (Device.Snapshot s : devices) n += s.creditsInUse();
            return n;
        }

        public long groupsOutstanding() {
            long n = 0;
            for (Device.Snapshot s : devices) n += s.groupsOutstanding();
            return n;
        }

        public long rejected() {
            return iommuLedger().responsesRejected();
        }
    }

    private record IommuSnapshotted(IommuUnit.Snapshot snapshot) implements Command {}

    private record DeviceSnapshotted(Device.Snapshot snapshot) implements Command {}

    private record ViommuSnapshotted(VIommu.Snapshot snapshot) implements Command {}

    private record OwnersSpawned(OwnerGroup.Spawned block) implements Command {}

    /**
     * @param faults   the fault sequence of each device (null for a device fed only with {@link Device.Send})
     * @param startedTo told {@link Started} once the tree is spawned; may be null
     */
    public static Behavior<Command> create(FabricContext ctx, IntFunction<FaultSequence> faults, ActorRef<Started> startedTo) {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(faults, "faults");
        return Behaviors.setup(context -> new Fabric(context, ctx, faults, startedTo));
    }

    private final FabricContext ctx;
    private final ActorRef<Started> startedTo;
    private final List<ActorRef<Started>> awaitingStart = new ArrayList<>();
    private final long spawnStart;
    private final int owners;
    private int ownerGroupsPending;
    private Started started;
    private final int[] viommus;
    private final ActorRef<IommuUnit.Snapshot> iommuAdapter;
    private final ActorRef<Device.Snapshot> deviceAdapter;
    private final ActorRef<VIommu.Snapshot> viommuAdapter;
    private final ArrayDeque<Command> requests = new ArrayDeque<>();
    private Collection collecting;

    private Fabric(ActorContext<Command> context, FabricContext ctx, IntFunction<FaultSequence> faults, ActorRef<Started> startedTo) {
        super(context);
        this.ctx = ctx;
        this.startedTo = startedTo;
        this.iommuAdapter = context.messageAdapter(IommuUnit.Snapshot.class, IommuSnapshotted::new);
        this.deviceAdapter = context.messageAdapter(Device.Snapshot.class, DeviceSnapshotted::new);
        this.viommuAdapter = context.messageAdapter(VIommu.Snapshot.class, ViommuSnapshotted::new);
        Topology t = ctx.topology();
        Props props = DispatcherSelector.fromConfig(ctx.settings().dispatcher());
        this.spawnStart = System.nanoTime();
        for (int i = 0; i < t.iommuCount(); i++) ctx.registerIommu(i, context.spawn(IommuUnit.create(i, ctx), "iommu-" + i, props));
        this.viommus = guestViommus(t);
        for (int v : viommus) ctx.registerViommu(v, context.spawn(VIommu.create(v, ctx), "viommu-" + v, props));
        for (int d = 0; d < t.deviceCount(); d++) {
            ctx.registerDevice(d, context.spawn(Device.create(d, ctx, faults.apply(d)), "device-" + d, props));
        }
        this.owners = t.mode() == RoutingMode.DEVICE ? t.ownerCount() : t.ioasidOwnerCount();
        ActorRef<OwnerGroup.Spawned> spawned = context.messageAdapter(OwnerGroup.Spawned.class, OwnersSpawned::new);
        if (ctx.ownerGateway() != null) {
            // cluster mode: owners are sharded entities on other nodes; every owner index leads to the gateway
            ActorRef<IoasidOwner.Command> gateway = context.spawn(ctx.ownerGateway(), "owner-gateway", props).narrow();
            for (int o = 0; o < owners; o++) ctx.registerOwner(o, gateway);
        }
        for (int first = 0, g = 0; ctx.ownerGateway() == null && first < owners; first += OwnerGroup.SIZE, g++) {
            int count = Math.min(OwnerGroup.SIZE, owners - first);
            context.spawn(OwnerGroup.create(g, first, count, ctx, spawned), "owners-" + g, props);
            ownerGroupsPending++;
        }
        if (ownerGroupsPending == 0) start();
    }

    private Behavior<Command> onOwnersSpawned(OwnersSpawned m) {
        if (--ownerGroupsPending == 0) start();
        return this;
    }

    private void start() {
        Topology t = ctx.topology();
        Duration spawnTime = Duration.ofNanos(System.nanoTime() - spawnStart);
        started = new Started(getContext().getSelf(), ctx, t.iommuCount(), viommus.length, owners, t.deviceCount(), spawnTime);
        getContext().getLog().info("fabric started in {} ms: {} IOMMUs, {} vIOMMUs, {} owners, {} devices ({})", spawnTime.toMillis(),
            t.iommuCount(), viommus.length, owners, t.deviceCount(), t);
        if (startedTo != null) startedTo.tell(started);
        for (ActorRef<Started> r : awaitingStart) r.tell(started);
        awaitingStart.clear();
        if (collecting == null) startNext();
    }

    /** The vIOMMUs some GUEST owner sits behind: the only ones worth spawning. */
    private static int[] guestViommus(Topology t) {
        BitSet used = new BitSet(t.viommuCount());
        for (int o = 0; o < t.ioasidOwnerCount(); o++) {
            int v = t.ownerViommu(o);
            if (v >= 0) used.set(v);
        }
        return used.stream().toArray();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessage(OwnersSpawned.class, this::onOwnersSpawned)
            .onMessage(GetStarted.class, this::onGetStarted)
            .onMessage(SnapshotAll.class, this::onRequest)
            .onMessage(Shutdown.class, this::onRequest)
            .onMessage(IommuSnapshotted.class, m -> onPart(m.snapshot()))
            .onMessage(DeviceSnapshotted.class, m -> onPart(m.snapshot()))
            .onMessage(ViommuSnapshotted.class, m -> onPart(m.snapshot()))
            .onSignal(org.apache.pekko.actor.typed.PostStop.class, sig -> {
                ctx.closeServiceClock(); // its thread belongs to this fabric
                return this;
            })
            .build();
    }

    private Behavior<Command> onGetStarted(GetStarted m) {
        if (started != null) m.replyTo().tell(started);
        else awaitingStart.add(m.replyTo());
        return this;
    }

    private Behavior<Command> onRequest(Command request) {
        requests.addLast(request);
        if (collecting == null && started != null) startNext();
        return this;
    }

    /** One request's collection: IOMMUs first when shutting down (their flush reaches the devices before they are asked). */
    private final class Collection {
        final Command request;
        final IommuUnit.Snapshot[] iommus;
        final Device.Snapshot[] devices;
        final VIommu.Snapshot[] viommuSnapshots;
        int missing;
        boolean devicesAsked;

        Collection(Command request) {
            this.request = request;
            Topology t = ctx.topology();
            this.iommus = new IommuUnit.Snapshot[t.iommuCount()];
            this.devices = new Device.Snapshot[t.deviceCount()];
            this.viommuSnapshots = new VIommu.Snapshot[t.viommuCount()];
        }
    }

    private void startNext() {
        Command request = requests.pollFirst();
        if (request == null) return;
        collecting = new Collection(request);
        Topology t = ctx.topology();
        collecting.missing = t.iommuCount();
        for (int i = 0; i < t.iommuCount(); i++) {
            if (request instanceof Shutdown) ctx.iommu(i).tell(new IommuUnit.Shutdown(iommuAdapter));
            else ctx.iommu(i).tell(new IommuUnit.GetSnapshot(iommuAdapter));
        }
        // a snapshot asks everyone at once; a shutdown asks the devices only after the IOMMUs have flushed to them.
        // A topology has at least one IOMMU, so the collection always ends in onPart.
        if (request instanceof SnapshotAll) askDevicesAndViommus();
    }

    private void askDevicesAndViommus() {
        Topology t = ctx.topology();
        collecting.devicesAsked = true;
        collecting.missing += t.deviceCount() + viommus.length;
        boolean last = collecting.request instanceof Shutdown;
        for (int d = 0; d < t.deviceCount(); d++) {
            ctx.device(d).tell(last ? new Device.Finish(deviceAdapter) : new Device.GetSnapshot(deviceAdapter));
        }
        for (int v : viommus) ctx.viommu(v).tell(new VIommu.GetSnapshot(viommuAdapter));
    }

    private Behavior<Command> onPart(Object snapshot) {
        Collection c = collecting;
        if (c == null) return this;
        if (snapshot instanceof IommuUnit.Snapshot s) c.iommus[s.iommu()] = s;
        else if (snapshot instanceof Device.Snapshot s) c.devices[s.device()] = s;
        else if (snapshot instanceof VIommu.Snapshot s) c.viommuSnapshots[s.viommu()] = s;
        if (--c.missing > 0) return this;
        if (!c.devicesAsked) {
            askDevicesAndViommus();
            if (c.missing > 0) return this;
        }
        return finish();
    }

    private Behavior<Command> finish() {
        Collection c = collecting;
        collecting = null;
        Violations violations = new Violations();
        violations.merge(ctx.violations());
        List<VIommu.Snapshot> vs = new ArrayList<>();
        for (VIommu.Snapshot s : c.viommuSnapshots) if (s != null) vs.add(s);
        Snapshot snapshot = new Snapshot(List.copyOf(Arrays.asList(c.iommus)), List.copyOf(Arrays.asList(c.devices)),
            List.copyOf(vs), ctx.ownerCounters().totals(), violations);
        if (c.request instanceof Shutdown s) {
            // everything is answered and in: the counts must add up with nothing unaccounted for
            long outstanding = 0;
            long inFlight = 0;
            for (Device.Snapshot d : c.devices) {
                outstanding += d.checkerOutstanding();
                inFlight += d.checkerInFlight();
            }
            OutcomeLedger all = snapshot.deviceLedger();
            all.merge(snapshot.iommuLedger());
            LedgerCheck.check(all, outstanding, inFlight, true, violations);
            s.replyTo().tell(snapshot);
            getContext().getLog().info("fabric shut down: {} groups completed at the devices, {} credits in use",
                snapshot.deviceLedger().groupsCompleted(), snapshot.creditsInUse());
            return Behaviors.stopped();
        }
        ((SnapshotAll) c.request).replyTo().tell(snapshot);
        startNext();
        return this;
    }
}
