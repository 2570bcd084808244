package io.faultfabric.actors;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.IommuCore;
import io.faultfabric.engine.IommuOutput;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.RejectReason;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.Pasid;
import io.faultfabric.engine.Rid;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.RoutingTable;
import io.faultfabric.engine.check.Invariant;
import io.faultfabric.engine.topology.Topology;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One IOMMU remapping unit (VT-d DMAR unit, SMMUv3 or RISC-V IOMMU). It owns the engine's
 * {@link IommuCore}: the bounded page request queue with its overflow rule, group assembly, the
 * PASID table, routing, the outstanding groups and response validation, and on an SMMUv3 with
 * stalling devices the event queue of the stall model (a stall reaches its owner as a one-request
 * group whose id is its STAG, and the owner's answer is its one resume); this behaviour only
 * receives, calls the core, and sends.
 *
 * <p>Protocol:
 * <ul>
 *   <li>{@link Requests} from a {@link Device}: a batch of page requests, queued in order.</li>
 *   <li>{@link Answer} / {@link AutoAnswer} / {@link RawAnswer} from handlers: validated, then returned to the device
 *       (rejections are counted, never delivered).</li>
 *   <li>{@link Attach}, {@link Detach} (replies once the PASID is drained), {@link Replace}, {@link ResetDevice},
 *       {@link RemoveDevice}: control, each replying {@code StatusReply<Done>} (an error names what was wrong).</li>
 *   <li>{@link OwnerFailed}: an owner restarted or stopped; its pending groups get the kernel's answer.</li>
 *   <li>Failure injection: {@link Restart} (the unit is reset), {@link Stall} (its page request thread stops taking
 *       requests off the queue, which may overflow), {@link AddDevice} (hot-plug back after {@link RemoveDevice}),
 *       {@link FailGroups} (a handler fails on a function's groups: Response Failure).</li>
 *   <li>{@link GetSnapshot}, {@link Shutdown}: counters; shutdown answers all that is pending (SHUTDOWN) and flushes,
 *       but does not stop the unit.</li>
 *   <li>private: {@code Flush} (the marker below), {@code DrainMore} (the next pass over the queue, at most
 *       {@code drain-batch} requests each), {@code Tick} (the timeout check).</li>
 * </ul>
 * A group it answers over its handler's head is withdrawn from that owner: {@link IoasidOwner.Withdrawn} after a
 * timeout, a device reset or removal, a restart of the unit or an injected handler failure; {@link IoasidOwner.Detached}
 * after a detach or replace (before the reply).
 * Responses are coalesced per device and flushed by a marker the unit sends itself, so a fault costs
 * about two messages (unit to owner, owner to unit) plus shared batches. Time for timeouts is counted in
 * ticks of {@code timeout-check-interval}, so tests drive it with ManualTime.
 */
public final class IommuUnit extends AbstractBehavior<IommuUnit.Command> {

    public interface Command {}

    /** Page requests from a device, in the order the device sent them. The list is handed over. */
    public record Requests(List<PageRequest> batch) implements Command {}

    /** A handler's answer to a group it was given. */
    public record Answer(PageRequestGroup group, int from, ResponseCode code) implements Command {}

    /** The handler's side answers automatically (its own queue full, its handler failed). */
    public record AutoAnswer(PageRequestGroup group, int from, AutoReason reason) implements Command {}

    /** A response built from raw identifiers: what a lying or confused owner sends. */
    public record RawAnswer(int rid, int pasid, int prgi, long groupId, int from, ResponseCode code) implements Command {}

    public record Attach(int rid, int pasid, int ioasid, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** Detach (teardown): pending groups Invalid; the reply comes once the PASID is drained and may be reused. */
    public record Detach(int rid, int pasid, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    public record Replace(int rid, int pasid, int ioasid, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    public record ResetDevice(int rid, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    public record RemoveDevice(int rid, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** Hot-plug of a function removed with {@link RemoveDevice}: its requests are served again. */
    public record AddDevice(int rid, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** The unit is reset: what it had pending or queued with L=1 is answered IOMMU_RESTART, the rest of its queue dropped. */
    public record Restart(ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** The unit's page request thread stops ({@code true}) or resumes taking requests off the queue; timeouts still run. */
    public record Stall(boolean stalled, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** A handler fails on the function's pending groups (or, with none, its next one): Response Failure reaches the device. */
    public record FailGroups(int rid, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** An owner's actor failed (restart) or stopped: {@code reason} is HANDLER_FAILED for both in Linux terms. */
    public record OwnerFailed(int owner, AutoReason reason) implements Command {}

    public record GetSnapshot(ActorRef<Snapshot> replyTo) implements Command {}

    /** Answers every pending group SHUTDOWN, flushes, and replies with the final snapshot. */
    public record Shutdown(ActorRef<Snapshot> replyTo) implements Command {}

    /** What one unit has counted so far. */
    public record Snapshot(int iommu, OutcomeLedger ledger, int queueDepth, int outstanding, boolean overflowing,
                           int routingEntries) {}

    private enum Flush implements Command { INSTANCE }

    private enum Tick implements Command { INSTANCE }

    private enum DrainMore implements Command { INSTANCE }

    public static Behavior<Command> create(int index, FabricContext ctx) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new IommuUnit(context, timers, index, ctx)));
    }

    private final FabricContext ctx;
    private final Topology topology;
    private final IommuCore core;
    private final int drainBatch;
    private final long tickNanos;
    private final long timeoutNanos;
    private final List<PageRequestGroup>[] pendingResponses;
    private final int[] pendingDevices;
    private int pendingDeviceCount;
    private boolean flushScheduled;
    private boolean drainScheduled;
    private long ticks;
    private boolean stalled;
    private boolean withdrawing;
    private final Map<Long, List<ActorRef<StatusReply<Done>>>> awaitingDrain = new HashMap<>();
    // groups routed by the current drain, sent to their owners when it ends (see sendFaults)
    private PageRequestGroup[] routed = new PageRequestGroup[64];
    private ActorRef<IoasidOwner.Command>[] routedTo = newRefs(64);
    private int routedCount;

    @SuppressWarnings("unchecked")
    private IommuUnit(ActorContext<Command> context, TimerScheduler<Command> timers, int index, FabricContext ctx) {
        super(context);
        this.ctx = ctx;
        this.topology = ctx.topology();
        this.drainBatch = ctx.settings().drainBatch();
        this.tickNanos = ctx.settings().timeoutCheckInterval().toNanos();
        this.timeoutNanos = ctx.settings().responseTimeout().toNanos();
        IommuCore[] made = new IommuCore[1];
        IommuOutput out = ctx.sabotage().iommuOutput(index, new Output(), () -> made[0]);
        this.core = topology.newIommuCore(index, out);
        made[0] = core;
        this.pendingResponses = new List[topology.deviceCount()];
        this.pendingDevices = new int[topology.deviceCount()];
        timers.startTimerAtFixedRate(Tick.INSTANCE, ctx.settings().timeoutCheckInterval());
    }

    /** Virtual time: ticks of the timeout check interval; groups time out after whole ticks. */
    private long now() {
        return ticks * tickNanos;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessage(Requests.class, this::onRequests)
            .onMessage(Answer.class, this::onAnswer)
            .onMessage(AutoAnswer.class, this::onAutoAnswer)
            .onMessage(RawAnswer.class, this::onRawAnswer)
            .onMessageEquals(Flush.INSTANCE, this::onFlush)
            .onMessageEquals(DrainMore.INSTANCE, this::onDrainMore)
            .onMessageEquals(Tick.INSTANCE, this::onTick)
            .onMessage(Attach.class, this::onAttach)
            .onMessage(Detach.class, this::onDetach)
            .onMessage(Replace.class, this::onReplace)
            .onMessage(ResetDevice.class, this::onResetDevice)
            .onMessage(RemoveDevice.class, this::onRemoveDevice)
            .onMessage(OwnerFailed.class, this::onOwnerFailed)
            .onMessage(AddDevice.class, m -> control(m.replyTo(), () -> core.addDevice(m.rid())))
            .onMessage(Restart.class, m -> control(m.replyTo(), () -> overHandlersHeads(() -> {
                int n = core.restart(now());
                getContext().getLog().info("IOMMU {} restarted: {} groups answered {}", core.index(), n, AutoReason.IOMMU_RESTART);
            })))
            .onMessage(Stall.class, m -> control(m.replyTo(), () -> {
                stalled = m.stalled();
                if (!stalled) drain();
            }))
            .onMessage(FailGroups.class, m -> control(m.replyTo(), () -> overHandlersHeads(() -> core.failGroupsOf(m.rid(), now()))))
            .onMessage(GetSnapshot.class, m -> { m.replyTo().tell(snapshot()); return this; })
            .onMessage(Shutdown.class, this::onShutdown)
            .build();
    }

    private Behavior<Command> onRequests(Requests m) {
        long now = now();
        List<PageRequest> batch = m.batch();
        for (int i = 0, n = batch.size(); i < n; i++) core.offer(batch.get(i), now);
        drain();
        return this;
    }

    private void drain() {
        if (stalled) return;
        core.drain(drainBatch, now());
        sendFaults();
        // one pass at a time, as the page request interrupt thread does: other messages get in between
        if (core.backlog() > 0 && !drainScheduled) {
            drainScheduled = true;
            getContext().getSelf().tell(DrainMore.INSTANCE);
        }
    }

    private Behavior<Command> onDrainMore() {
        drainScheduled = false;
        drain();
        return this;
    }

    private Behavior<Command> onAnswer(Answer m) {
        core.respond(m.group(), m.from(), m.code());
        return this;
    }

    private Behavior<Command> onAutoAnswer(AutoAnswer m) {
        PageRequestGroup g = m.group();
        core.respond(g.rid(), g.pasid(), g.prgi(), g.groupId(), m.from(), m.reason().code(), m.reason());
        return this;
    }

    private Behavior<Command> onRawAnswer(RawAnswer m) {
        core.respond(m.rid(), m.pasid(), m.prgi(), m.groupId(), m.from(), m.code(), null);
        return this;
    }

    private Behavior<Command> onTick() {
        ticks++;
        if (core.outstandingCount() > 0) overHandlersHeads(() -> core.expire(now(), timeoutNanos));
        return this;
    }

    /**
     * Runs an operation in which the unit answers groups it had handed to handlers that still hold them (a timeout, a
     * device reset or removal, its own restart, an injected handler failure): each such handler is told to drop the group
     * ({@link IoasidOwner.Withdrawn}), so that it keeps no room for it and does not answer it again. Detach and replace
     * tell the old owner per (RID, PASID) instead; an owner's own failure and shutdown need nobody told.
     */
    private void overHandlersHeads(Runnable operation) {
        withdrawing = true;
        try {
            operation.run();
        } finally {
            withdrawing = false;
        }
    }

    private Behavior<Command> onAttach(Attach m) {
        try {
            String leftovers = core.attach(m.rid(), m.pasid(), m.ioasid());
            if (leftovers != null) ctx.violations().record(Invariant.NO_REUSE_BEFORE_DRAIN, "IOMMU " + core.index() + ": " + leftovers);
            m.replyTo().tell(StatusReply.ack());
        } catch (IllegalArgumentException | IllegalStateException e) {
            m.replyTo().tell(StatusReply.error(e.getMessage()));
        }
        return this;
    }

    private Behavior<Command> onDetach(Detach m) {
        int rid = m.rid();
        int pasid = m.pasid();
        if (rid < 0 || rid > Rid.MAX || core.deviceIndexOf(rid) < 0) {
            m.replyTo().tell(StatusReply.error("rid " + (rid < 0 || rid > Rid.MAX ? String.valueOf(rid) : new Rid(rid).toString())
                + " is not a device of IOMMU " + core.index()));
            return this;
        }
        if (pasid != RoutingTable.NO_PASID && (pasid < 0 || pasid > Pasid.MAX)) {
            m.replyTo().tell(StatusReply.error("pasid must be a 20-bit PASID 0.." + Pasid.MAX + ", was " + pasid));
            return this;
        }
        int old = core.routing().ioasidAt(rid, pasid);
        if (old < 0) {
            m.replyTo().tell(StatusReply.error("pasid " + pasid + " of rid " + new Rid(rid) + " is not attached"
                + (core.routing().isDraining(rid, pasid) ? " (it is draining)" : "")));
            return this;
        }
        // before the reply, which may come at once: whoever is told the detach is done finds the owner told too
        tellOwnersDetached(rid, pasid, old);
        long key = ((long) rid << 21) | pasid;
        // registered before detach(): with nothing to drain, the core reports the PASID drained within it
        awaitingDrain.computeIfAbsent(key, k -> new ArrayList<>()).add(m.replyTo());
        core.detach(rid, pasid, now());
        return this;
    }

    /**
     * The IOMMU answered the pending groups of (RID, PASID) of the old IOASID: their handler must drop them, or they would
     * hold room in its bounded queue and be answered again. In DEVICE mode the handler is the device's owner, which may
     * have relayed some to the old IOASID's owner: it passes the word on after them.
     */
    private void tellOwnersDetached(int rid, int pasid, int oldIoasid) {
        if (oldIoasid < 0) return;
        int owner = topology.ownerOfIoasid(oldIoasid);
        if (topology.mode() == RoutingMode.DEVICE) {
            ctx.owner(topology.deviceOwnerOf(topology.deviceOfRid(rid))).tell(new IoasidOwner.Detached(rid, pasid, owner));
        } else {
            ctx.owner(owner).tell(new IoasidOwner.Detached(rid, pasid));
        }
    }

    private Behavior<Command> onReplace(Replace m) {
        int old;
        try {
            old = core.replace(m.rid(), m.pasid(), m.ioasid(), now());
        } catch (IllegalArgumentException | IllegalStateException e) {
            m.replyTo().tell(StatusReply.error(e.getMessage()));
            return this;
        }
        tellOwnersDetached(m.rid(), m.pasid(), old);
        m.replyTo().tell(StatusReply.ack());
        return this;
    }

    private Behavior<Command> onResetDevice(ResetDevice m) {
        try {
            overHandlersHeads(() -> core.resetDevice(m.rid(), now()));
            m.replyTo().tell(StatusReply.ack());
        } catch (IllegalArgumentException e) {
            m.replyTo().tell(StatusReply.error(e.getMessage()));
        }
        return this;
    }

    private Behavior<Command> onRemoveDevice(RemoveDevice m) {
        try {
            overHandlersHeads(() -> core.removeDevice(m.rid(), now()));
            m.replyTo().tell(StatusReply.ack());
        } catch (IllegalArgumentException e) {
            m.replyTo().tell(StatusReply.error(e.getMessage()));
        }
        return this;
    }

    /** A control message: run it and reply ack, or the error that names what was wrong (what it answered flushes as usual). */
    private Behavior<Command> control(ActorRef<StatusReply<Done>> replyTo, Runnable action) {
        try {
            action.run();
            replyTo.tell(StatusReply.ack());
        } catch (IllegalArgumentException | IllegalStateException e) {
            replyTo.tell(StatusReply.error(e.getMessage()));
        }
        return this;
    }

    private Behavior<Command> onOwnerFailed(OwnerFailed m) {
        int n = core.handlerFailed(m.owner(), m.reason(), now());
        if (n > 0) getContext().getLog().debug("owner {} failed: {} pending groups answered {}", m.owner(), n, m.reason());
        return this;
    }

    private Behavior<Command> onShutdown(Shutdown m) {
        core.answerAll(AutoReason.SHUTDOWN, now());
        sendFaults();
        onFlush();
        m.replyTo().tell(snapshot());
        return this;
    }

    private Snapshot snapshot() {
        return new Snapshot(core.index(), core.ledger().copy(), core.queueDepth(), core.outstandingCount(), core.overflowing(),
            core.routing().size());
    }

    @SuppressWarnings("unchecked")
    private static ActorRef<IoasidOwner.Command>[] newRefs(int n) {
        return (ActorRef<IoasidOwner.Command>[]) new ActorRef[n];
    }

    /**
     * Sends the groups of a drain to their owners. With up to 2^20 owners each send touches an owner that is cold in the
     * cache; looking all the refs up first, in a loop of independent loads, lets those misses overlap rather than queue
     * behind each send's own.
     */
    private void sendFaults() {
        int n = routedCount;
        if (n == 0) return;
        for (int i = 0; i < n; i++) routedTo[i] = ctx.owner(routed[i].handler());
        for (int i = 0; i < n; i++) {
            IoasidOwner.Fault fault = new IoasidOwner.Fault(routed[i], null);
            FabricContext.Interposer interposer = ctx.interposer();
            if (interposer == null) routedTo[i].tell(fault);
            else interposer.dispatch(routed[i], routedTo[i], fault); // message faults injected on this leg
            routed[i] = null;
            routedTo[i] = null;
        }
        routedCount = 0;
    }

    private Behavior<Command> onFlush() {
        flushScheduled = false;
        for (int i = 0; i < pendingDeviceCount; i++) {
            int d = pendingDevices[i];
            List<PageRequestGroup> list = pendingResponses[d];
            pendingResponses[d] = null;
            ctx.device(d).tell(new Device.Responses(list));
        }
        pendingDeviceCount = 0;
        return this;
    }

    private final class Output implements IommuOutput {
        @Override
        public void dispatch(PageRequestGroup g) {
            if (routedCount == routed.length) {
                routed = java.util.Arrays.copyOf(routed, routedCount * 2);
                routedTo = java.util.Arrays.copyOf(routedTo, routedCount * 2);
            }
            routed[routedCount++] = g;
        }

        @Override
        public void respond(PageRequestGroup g) {
            if (withdrawing && g.handler() >= 0) ctx.owner(g.handler()).tell(new IoasidOwner.Withdrawn(g)); // see overHandlersHeads
            int d = topology.deviceOfRid(g.rid());
            if (d < 0) {
                // a request from a RID no device has: nobody to answer, but it was counted as sent
                return;
            }
            List<PageRequestGroup> list = pendingResponses[d];
            if (list == null) {
                list = new ArrayList<>(8);
                pendingResponses[d] = list;
                pendingDevices[pendingDeviceCount++] = d;
            }
            list.add(g);
            if (!flushScheduled) {
                // every message already queued is handled before the marker: responses to the same device coalesce
                flushScheduled = true;
                getContext().getSelf().tell(Flush.INSTANCE);
            }
        }

        @Override
        public void rejected(int rid, int pasid, int prgi, int from, RejectReason reason) {
            getContext().getLog().debug("rejected response rid {} pasid {} prgi {} from {}: {}", rid, pasid, prgi, from, reason);
        }

        @Override
        public void drained(int rid, int pasid) {
            List<ActorRef<StatusReply<Done>>> waiting = awaitingDrain.remove(((long) rid << 21) | pasid);
            if (waiting != null) for (ActorRef<StatusReply<Done>> r : waiting) r.tell(StatusReply.ack());
        }
    }
}
