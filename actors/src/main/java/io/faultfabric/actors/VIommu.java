package io.faultfabric.actors;

import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServicePacer;
import io.faultfabric.engine.owner.VirtualPageRequestQueue;
import io.faultfabric.engine.owner.VirtualPageRequestQueue.Admission;
import io.faultfabric.engine.owner.VirtualPageRequestQueue.Injected;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import java.time.Duration;

/**
 * A guest's virtual IOMMU and, behind it, the guest's own fault handler. The VMM (a GUEST owner) injects
 * each group it read from its fault fd; the vIOMMU writes it into the guest's emulated page request queue
 * ({@link VirtualPageRequestQueue}: bounded, PRO on overflow, vPASIDs on VT-d) or refuses it when the queue
 * is full or overflowing ({@link IoasidOwner.GuestRefused}: the owner answers VIRTUAL_QUEUE_FULL). The guest's
 * handler takes one group at a time, serves it for the owner's service time (plus any {@link Slow}), decides
 * by the owner's policy (Success, Invalid, or Response Failure when it fails), and answers with a page group
 * response (RID, vPASID, PRGI); the vIOMMU maps that back to the host cookie and tells the owner
 * ({@link IoasidOwner.GuestAnswer}).
 *
 * <p>Protocol: {@link Inject} from GUEST owners; {@link ForgetOwner} when an owner's incarnation ends;
 * {@link GuestResponse} (a page group response from outside the modelled guest: a forged or stale one);
 * fault injection {@link Hang}, {@link Slow}, {@link Flood}; {@link GetSnapshot} replying {@link Snapshot}.
 */
public final class VIommu extends AbstractBehavior<VIommu.Command> {

    public interface Command {}

    /** The VMM of owner {@code owner} injects a group it read under {@code cookie}; {@code policy} is how the guest treats it. */
    public record Inject(PageRequestGroup group, int owner, int cookie, FaultPolicy policy) implements Command {}

    /** A page group response as the guest would write it: (RID, vPASID, PRGI, code). */
    public record GuestResponse(int rid, int guestPasid, int prgi, ResponseCode code) implements Command {}

    /** Owner {@code owner}'s VMM side restarted or stopped: its cookies are gone, its groups' answers go nowhere. */
    public record ForgetOwner(int owner) implements Command {}

    /** Fault injection: the guest stops taking groups off its queue until {@code Hang(false)}. */
    public record Hang(boolean hung) implements Command {}

    /** Fault injection: the guest takes {@code extra} longer on every group (zero to undo). */
    public record Slow(Duration extra) implements Command {}

    /**
     * Fault injection: work from outside the model (a burst from the guest's other devices) occupies {@code descriptors}
     * entries of the guest's queue (zero to undo), so groups that no longer fit are refused and PRO is set.
     */
    public record Flood(int descriptors) implements Command {}

    public record GetSnapshot(ActorRef<Snapshot> replyTo) implements Command {}

    /**
     * @param used      descriptors in the guest's queue
     * @param refused   groups refused (queue full, or PRO still set)
     * @param answered  the guest's answers that reached an owner, by {@link ResponseCode} ordinal
     */
    public record Snapshot(int viommu, int capacity, int used, int queuedGroups, int awaitingResponses, boolean pro, long injected,
                           long refused, long proEvents, long highWater, long[] answered, long unmatchedResponses, long forgotten,
                           boolean hung, Duration slow) {
        public long answered(ResponseCode code) { return answered[code.ordinal()]; }
    }

    private record ServiceDone(Injected entry) implements Command {}

    public static Behavior<Command> create(int viommu, FabricContext ctx) {
        return Behaviors.setup(context -> new VIommu(context, viommu, ctx));
    }

    private final int viommu;
    private final FabricContext ctx;
    private final VirtualPageRequestQueue queue;
    private final ServicePacer window;
    private final long[] answered = new long[ResponseCode.values().length];
    private Injected inService;
    private boolean inServiceDone;
    private boolean hung;
    private long slowNanos;

    private VIommu(ActorContext<Command> context, int viommu, FabricContext ctx) {
        super(context);
        this.viommu = viommu;
        this.ctx = ctx;
        this.queue = new VirtualPageRequestQueue(viommu, ctx.topology().viommuQueueDepth(viommu));
        this.window = ctx.serviceClock(context.getSystem()).newPacer();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessage(Inject.class, this::onInject)
            .onMessage(ServiceDone.class, this::onServiceDone)
            .onMessage(GuestResponse.class, m -> { guestRespond(m.rid(), m.guestPasid(), m.prgi(), m.code()); return this; })
            .onMessage(ForgetOwner.class, m -> { queue.forgetOwner(m.owner()); return this; })
            .onMessage(Hang.class, this::onHang)
            .onMessage(Slow.class, m -> { slowNanos = Math.max(0, m.extra().toNanos()); return this; })
            .onMessage(Flood.class, m -> {
                queue.flood(Math.min(queue.capacity(), Math.max(0, m.descriptors())));
                pump(); // an emptied queue clears PRO when the guest next looks
                return this;
            })
            .onMessage(GetSnapshot.class, m -> { m.replyTo().tell(snapshot()); return this; })
            .build();
    }

    private Behavior<Command> onInject(Inject m) {
        PageRequestGroup g = m.group();
        Admission a = queue.inject(g, m.owner(), m.cookie(), ctx.topology().iommuKind(g.iommu()), m.policy());
        if (a != Admission.QUEUED) {
            if (a == Admission.FULL) getContext().getLog().debug("vIOMMU {}: guest page request queue full, PRO set", viommu);
            ctx.owner(m.owner()).tell(new IoasidOwner.GuestRefused(m.cookie()));
            return this;
        }
        pump();
        return this;
    }

    /** The guest's handler takes groups while it is free: at once when they take no time, else one on a timer. */
    private void pump() {
        while (!hung && inService == null) {
            Injected e = queue.take();
            if (e == null) return;
            long s = e.policy().serviceNanos(ctx.seed(), e.group()) + slowNanos;
            long delay = s == 0 ? 0 : window.begin(s);
            if (delay == 0) {
                answerAsGuest(e);
                continue;
            }
            inService = e;
            inServiceDone = false;
            ctx.serviceClock(getContext().getSystem()).schedule(delay, getContext().getSelf(), new ServiceDone(e));
        }
    }

    private Behavior<Command> onServiceDone(ServiceDone m) {
        if (inService != m.entry()) return this;
        if (hung) {
            inServiceDone = true;
            return this;
        }
        complete();
        return this;
    }

    private void complete() {
        Injected e = inService;
        inService = null;
        inServiceDone = false;
        window.fired();
        answerAsGuest(e);
        pump();
        window.idle();
    }

    /** The guest decides and writes its page group response, which names the group as the guest sees it. */
    private void answerAsGuest(Injected e) {
        FaultPolicy.Decision d = e.policy().decide(ctx.seed(), e.group());
        ResponseCode code = switch (d) {
            case SUCCESS -> ResponseCode.SUCCESS;
            case INVALID -> ResponseCode.INVALID;
            case HANDLER_FAILS -> ResponseCode.RESPONSE_FAILURE; // a guest may send it; the host uAPI will refuse it
        };
        guestRespond(e.rid(), e.guestPasid(), e.prgi(), code);
    }

    private void guestRespond(int rid, int guestPasid, int prgi, ResponseCode code) {
        Injected e = queue.respond(rid, guestPasid, prgi);
        if (e == null) {
            ctx.ownerCounters().unmatchedGuestResponses.increment();
            return;
        }
        answered[code.ordinal()]++;
        ctx.owner(e.owner()).tell(new IoasidOwner.GuestAnswer(e.cookie(), code));
    }

    private Behavior<Command> onHang(Hang m) {
        hung = m.hung();
        if (!hung) {
            if (inService != null && inServiceDone) complete();
            else pump();
        }
        return this;
    }

    private Snapshot snapshot() {
        return new Snapshot(viommu, queue.capacity(), queue.used(), queue.queuedGroups(), queue.awaitingResponses(), queue.pro(),
            queue.injected(), queue.refused(), queue.proEvents(), queue.highWater(), answered.clone(), queue.unmatchedResponses(),
            queue.forgotten(), hung, Duration.ofNanos(slowNanos));
    }
}
