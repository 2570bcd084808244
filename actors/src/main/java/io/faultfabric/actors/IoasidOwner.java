package io.faultfabric.actors;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingTable;
import io.faultfabric.engine.check.Invariant;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.IommufdFaultQueue;
import io.faultfabric.engine.owner.IommufdFaultQueue.PageResponse;
import io.faultfabric.engine.owner.IommufdFaultQueue.PgFault;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.owner.ServicePacer;
import io.faultfabric.engine.topology.Topology;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.ExtensibleBehavior;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * The holder of one I/O address space (one owner index of the topology), or, in DEVICE routing mode,
 * the owner of one device (indices from {@link Topology#ioasidOwnerCount()}: VFIO type1 style).
 *
 * <p>How each kind answers a group (decisions from {@link FaultPolicy#decide}, service times from
 * {@link FaultPolicy#serviceNanos}):
 * <ul>
 *   <li>{@code HOST_SVA}: the kernel's SVA handler answers Success or Invalid to the IOMMU; a handler
 *       failure is answered Response Failure by the kernel ({@link AutoReason#HANDLER_FAILED}).</li>
 *   <li>{@code USER_DRIVER}, {@code VDPA}: the group goes into the owner's iommufd fault fd
 *       ({@link IommufdFaultQueue}); the user-space reader reads whole groups in batches and writes
 *       {cookie, code}. A handler failure makes it write Failure, which the uAPI refuses with EINVAL:
 *       counted, and the group stays pending until the IOMMU's timeout answers it.</li>
 *   <li>{@code GUEST}: the VMM reads the fault fd and injects each group into the guest's {@link VIommu};
 *       the guest's answer comes back as {@link GuestAnswer} (or {@link GuestRefused} when the guest's queue
 *       is full) and the VMM writes it to the fault fd.</li>
 *   <li>a device owner (DEVICE mode) reads one bounded ring per device and relays each group to its
 *       IOASID's owner as {@code Fault(group, relay = self)}; that owner answers with {@link Relayed}, and the
 *       device owner, the group's handler, answers the IOMMU.</li>
 * </ul>
 * A zero service time answers in the same message. Otherwise the owner serves one group at a time on a
 * timer and keeps the rest in its own queue of {@code policy.queueCapacity()} groups (for fd kinds: unread
 * in the fd plus read and not yet served; for a device owner: its ring); a group that finds it full is
 * answered {@link AutoReason#OWNER_QUEUE_FULL} (Response Failure: the kernel cannot allocate it).
 *
 * <p>Protocol: {@link Fault} (from an IOMMU, or relayed), {@link Relayed}, {@link GuestAnswer},
 * {@link GuestRefused}, {@link Detached}, {@link Withdrawn}; fault injection {@link Crash}, {@link Hang}, {@link SetPolicy};
 * {@link GetSnapshot} replying {@link Snapshot}. Rare events are also counted fabric-wide in
 * {@link OwnerCounters}.
 *
 * <p>Supervision, built into the behaviour ({@link #onFailure}): an owner that throws is restarted or stopped per
 * {@code faultfabric.owner-supervision}; on that failure, and on PostStop with groups pending, it tells every IOMMU
 * {@link IommuUnit.OwnerFailed}, so its pending groups are answered Response Failure, relays HANDLER_FAILED
 * for groups a device owner handed it, and has its vIOMMU forget its cookies.
 *
 * <p>Size: up to 2^20 of these live at once, so an idle owner holds its index, the shared context and a
 * null; anything else (queues, fault fd, overrides, counts) is created when needed and dropped when quiet.
 * It is an {@link ExtensibleBehavior} spawned as it is: no ReceiveBuilder (whose per-actor list of cases would cost
 * hundreds of bytes in each of a million owners), no Behaviors.setup and no supervise wrapper.
 */
public final class IoasidOwner extends ExtensibleBehavior<IoasidOwner.Command> {

    public interface Command {}

    /** A group for this owner to handle; {@code relay} non-null when a device owner forwards it (DEVICE mode). */
    public record Fault(PageRequestGroup group, ActorRef<Command> relay) implements Command {}

    /**
     * To a device owner: the answer of the IOASID's owner to a group it relayed, a code the owner sent or the
     * reason it was answered automatically; exactly one of the two is non-null.
     */
    public record Relayed(PageRequestGroup group, ResponseCode code, AutoReason autoReason) implements Command {
        public Relayed {
            if ((code == null) == (autoReason == null)) throw new IllegalArgumentException("a relayed answer has a code or an automatic reason, not both or neither");
        }
    }

    /** From the vIOMMU: the guest's page group response, mapped back to this owner's fault-fd cookie. */
    public record GuestAnswer(int cookie, ResponseCode code) implements Command {}

    /** From the vIOMMU: the guest's page request queue was full or overflowing and the group was refused. */
    public record GuestRefused(int cookie) implements Command {}

    /**
     * The address space at (rid, pasid) ({@link RoutingTable#NO_PASID} for the RID) was detached or replaced at its
     * IOMMU, which answered the pending groups; the owner drops them from its queue and fault fd without answering.
     * The IOMMU tells the group's handler: the old IOASID's owner, or in DEVICE mode the device's owner, which then
     * passes it on to {@code relayTo} (the old IOASID's owner, to which it may have relayed groups; -1: nobody).
     */
    public record Detached(int rid, int pasid, int relayTo) implements Command {
        public Detached(int rid, int pasid) {
            this(rid, pasid, -1);
        }
    }

    /**
     * The IOMMU answered this group itself (its response timeout, a reset of the device), so the owner drops it from
     * its queue and fault fd without answering. Told to the group's handler; a device owner that has relayed the group
     * passes this on to the IOASID's owner.
     */
    public record Withdrawn(PageRequestGroup group) implements Command {}

    /** Fault injection: the owner throws {@link InjectedCrash}, and its supervision takes over. */
    public record Crash(String why) implements Command {}

    /** Fault injection: a hung owner stops serving (groups queue up to its capacity) until {@code Hang(false)}. */
    public record Hang(boolean hung) implements Command {}

    /** Overrides this owner's policy ({@code null} returns to the fabric's). Lost when the owner restarts. */
    public record SetPolicy(FaultPolicy policy) implements Command {}

    public record GetSnapshot(ActorRef<Snapshot> replyTo) implements Command {}

    /**
     * One owner's state and its own counts since it last started.
     *
     * @param waiting              groups queued: its own queue or ring, or unread in its fault fd plus read and not yet served
     * @param fdAwaiting           groups read from its fault fd whose cookie is not yet answered (in service, at the guest,
     *                             or refused Failure and left pending)
     * @param failureWritesRefused Failure writes the fault fd refused with EINVAL
     * @param withdrawnDropped     groups dropped because the IOMMU answered them itself ({@link Withdrawn})
     */
    public record Snapshot(int owner, OwnerKind kind, boolean deviceOwner, FaultPolicy policy, boolean hung, int waiting,
                           boolean serving, int fdAwaiting, long ownerQueueFull, long handlerFailed, long failureWritesRefused,
                           long unknownCookieWrites, long virtualQueueFull, long detachedDropped, long withdrawnDropped) {}

    /** What an owner throws when told to {@link Crash}. */
    public static final class InjectedCrash extends RuntimeException {
        InjectedCrash(int owner, String why) {
            super("owner " + owner + " crashed on purpose: " + why, null, false, false);
        }
    }

    private record ServiceDone(PageRequestGroup group) implements Command {}

    /** The reader's buffer: 64 records per read, as a batching user-space driver would use. */
    private static final int READ_BYTES = IommufdFaultQueue.RECORD_BYTES * 64;
    private static final int MAX_READ_BYTES = IommufdFaultQueue.RECORD_BYTES * (1 << 16);

    /**
     * An owner with the supervision {@code faultfabric.owner-supervision} asks for, built in. Each call makes a new
     * owner: the behaviour holds the owner's state, so it is spawned once and never shared.
     */
    public static Behavior<Command> create(int index, FabricContext ctx) {
        return new IoasidOwner(index, ctx);
    }

    /** The same as {@link #create}: every owner is supervised, by its own behaviour (see {@link #onFailure}). */
    public static Behavior<Command> supervised(int index, FabricContext ctx) {
        return create(index, ctx);
    }

    /**
     * One behaviour for any number of owners, each spawned under the name {@link #actorName} of its index: shared, so
     * that owners spawned from one classic Props share that Props too (see {@link OwnerGroup}).
     */
    static Behavior<Command> byName(FabricContext ctx) {
        return Behaviors.setup(context -> new IoasidOwner(indexOf(context.getSelf().path().name()), ctx));
    }

    /** The actor name of owner {@code index}: short, and the index read back from it. */
    static String actorName(int index) {
        return Integer.toString(index, Character.MAX_RADIX);
    }

    static int indexOf(String actorName) {
        return Integer.parseInt(actorName, Character.MAX_RADIX);
    }

    private final int index;
    private final FabricContext ctx;
    private Work work;
    // the actor's context, as the last message or signal brought it: the behaviour is built before the actor exists
    private ActorContext<Command> context;

    private IoasidOwner(int index, FabricContext ctx) {
        this.index = index;
        this.ctx = ctx;
    }

    /** The state of an owner that is doing more than answering at once; null while it is quiet. */
    private static final class Work {
        FaultPolicy override;
        boolean hung;
        boolean failed;
        ArrayDeque<PageRequestGroup> groups;
        IommufdFaultQueue fd;
        ArrayDeque<Integer> cookies; // read from the fd, not yet served; cookies are small, so their boxes are cached
        PageRequestGroup inService;
        int inServiceCookie;
        boolean inServiceDone;
        ServicePacer window;
        long ownerQueueFull;
        long handlerFailed;
        long failureWritesRefused;
        long unknownCookieWrites;
        long virtualQueueFull;
        long detachedDropped;
        long withdrawnDropped;

        int waiting() {
            return (groups == null ? 0 : groups.size()) + (fd == null ? 0 : fd.unreadCount()) + (cookies == null ? 0 : cookies.size());
        }

        boolean hasPending() {
            return inService != null || (groups != null && !groups.isEmpty()) || (fd != null && !fd.isEmpty());
        }

        boolean quiet() {
            return !hasPending() && !hung && !failed && override == null && ownerQueueFull == 0 && handlerFailed == 0
                && failureWritesRefused == 0 && unknownCookieWrites == 0 && virtualQueueFull == 0 && detachedDropped == 0
                && withdrawnDropped == 0;
        }

        /** Every group this owner holds unanswered (a fd kind's group in service is among the fd's). */
        void forEachPending(Consumer<PageRequestGroup> visitor) {
            if (groups != null) groups.forEach(visitor);
            if (fd != null) fd.forEachPending(visitor);
            else if (inService != null) visitor.accept(inService);
        }
    }

    @Override
    public Behavior<Command> receive(TypedActorContext<Command> c, Command m) {
        context = c.asJava();
        try {
            return onMessage(m);
        } catch (RuntimeException e) {
            return onFailure(e);
        }
    }

    @Override
    public Behavior<Command> receiveSignal(TypedActorContext<Command> c, Signal s) {
        context = c.asJava();
        return onSignal(s);
    }

    private ActorContext<Command> getContext() {
        return context;
    }

    /**
     * Supervision, done by the owner itself rather than by a {@code Behaviors.supervise} wrapper, whose interceptor,
     * supervisor and deferred setup would cost about 230 bytes in each of a million owners. It does what the wrapper
     * did: logs at WARN (crashes are injected), answers for the pending groups (as on PreRestart), then starts the next
     * incarnation quiet (restart) or stops.
     */
    private Behavior<Command> onFailure(RuntimeException e) {
        boolean restart = ctx.settings().ownerSupervision() == FabricSettings.OwnerSupervision.RESTART;
        getContext().getLog().warn("owner {} failed and is {}: {}", index, restart ? "restarted" : "stopped", e.getMessage(), e);
        failed(true);
        work = null; // the next incarnation holds nothing; a stopped owner's PostStop has nothing left to answer
        return restart ? this : Behaviors.stopped();
    }

    private Behavior<Command> onMessage(Command m) {
        if (m instanceof Fault f) onFault(f);
        else if (m instanceof Relayed r) onRelayed(r);
        else if (m instanceof ServiceDone d) onServiceDone(d);
        else if (m instanceof GuestAnswer a) onGuestAnswer(a);
        else if (m instanceof GuestRefused r) onGuestRefused(r);
        else if (m instanceof Detached d) onDetached(d);
        else if (m instanceof Withdrawn d) onWithdrawn(d);
        else if (m instanceof Hang h) onHang(h);
        else if (m instanceof SetPolicy p) onSetPolicy(p);
        else if (m instanceof GetSnapshot s) s.replyTo().tell(snapshot());
        else if (m instanceof Crash c) {
            work().failed = true;
            throw new InjectedCrash(index, c.why());
        } else return Behaviors.unhandled();
        if (work != null && work.quiet()) work = null;
        return this;
    }

    // ---------------------------------------------------------------- intake

    private void onFault(Fault m) {
        PageRequestGroup g = m.group();
        Topology t = ctx.topology();
        if (m.relay() == null) ctx.ownerChecker().onReceived(index, g);
        else if (t.ownerOfIoasid(g.ioasid()) != index) {
            // the device owner checked the routing on receipt; a relay to the wrong address space is its bug
            ctx.violations().record(Invariant.ROUTED_TO_ATTACHED_OWNER, "device owner relayed " + g + " to owner " + index
                + " but its IOASID belongs to owner " + t.ownerOfIoasid(g.ioasid()));
        }
        if (t.isDeviceOwner(index)) {
            admitToQueue(g);
        } else if (t.ownerKind(index) == OwnerKind.HOST_SVA) {
            if (work == null) {
                FaultPolicy p = ctx.policy(index);
                if (p.serviceTime().shape() == ServiceTime.Shape.ZERO) {
                    serveSva(g, p); // the hot path: nothing queued, nothing to remember
                    return;
                }
            }
            admitToQueue(g);
        } else {
            admitToFd(g);
        }
        pump();
    }

    private void admitToQueue(PageRequestGroup g) {
        Work w = work();
        if (w.groups == null) w.groups = new ArrayDeque<>(4);
        if (w.groups.size() >= policy().queueCapacity()) queueFull(w, g);
        else w.groups.addLast(g);
    }

    private void admitToFd(PageRequestGroup g) {
        Work w = work();
        if (w.fd == null) w.fd = new IommufdFaultQueue();
        if (w.fd.unreadCount() + (w.cookies == null ? 0 : w.cookies.size()) >= policy().queueCapacity()) queueFull(w, g);
        else w.fd.enqueue(g);
    }

    private void queueFull(Work w, PageRequestGroup g) {
        w.ownerQueueFull++;
        ctx.ownerCounters().ownerQueueFull.increment();
        answerAuto(g, AutoReason.OWNER_QUEUE_FULL);
    }

    // ---------------------------------------------------------------- serving

    /** Serves queued groups while the owner is free: at once when they take no time, else the next one on a timer. */
    private void pump() {
        Work w = work;
        if (w == null || w.hung || w.inService != null) return;
        Topology t = ctx.topology();
        boolean fdKind = usesFd(t);
        boolean forwardsOnly = !t.isDeviceOwner(index) && t.ownerKind(index) == OwnerKind.GUEST;
        FaultPolicy p = policy();
        while (true) {
            PageRequestGroup g;
            int cookie = 0;
            if (fdKind) {
                if ((w.cookies == null || w.cookies.isEmpty()) && w.fd != null) readBatch(w);
                Integer c = w.cookies == null ? null : w.cookies.pollFirst();
                if (c == null) break;
                cookie = c;
                g = w.fd.awaiting(cookie);
                if (g == null) continue; // detached since it was read
            } else {
                g = w.groups == null ? null : w.groups.pollFirst();
                if (g == null) break;
            }
            // the VMM only forwards: the guest's handler has the service time
            long s = forwardsOnly ? 0 : p.serviceNanos(ctx.seed(), g);
            long delay = s == 0 ? 0 : window(w).begin(s);
            if (delay == 0) {
                finish(g, cookie, p);
                continue;
            }
            w.inService = g;
            w.inServiceCookie = cookie;
            w.inServiceDone = false;
            ctx.serviceClock(getContext().getSystem()).schedule(delay, getContext().getSelf(), new ServiceDone(g));
            break;
        }
    }

    private boolean usesFd(Topology t) {
        return !t.isDeviceOwner(index) && t.ownerKind(index) != OwnerKind.HOST_SVA;
    }

    /** The user-space reader: one batch of whole groups; a group bigger than the buffer makes it grow the buffer. */
    private void readBatch(Work w) {
        IommufdFaultQueue.ReadResult r = w.fd.read(READ_BYTES);
        for (int bytes = READ_BYTES * 2; r.records().isEmpty() && w.fd.unreadCount() > 0 && bytes <= MAX_READ_BYTES; bytes *= 2) {
            r = w.fd.read(bytes);
        }
        if (r.records().isEmpty()) return;
        if (w.cookies == null) w.cookies = new ArrayDeque<>(4);
        int last = 0;
        for (PgFault rec : r.records()) {
            if (rec.cookie() != last) {
                last = rec.cookie();
                w.cookies.addLast(last);
            }
        }
    }

    private void onServiceDone(ServiceDone m) {
        Work w = work;
        if (w == null || w.inService != m.group()) return; // a timer of an earlier incarnation, or a group detached since
        if (w.hung) {
            w.inServiceDone = true; // a hung owner finishes nothing; it completes when it resumes
            return;
        }
        completeService(w);
    }

    private void completeService(Work w) {
        PageRequestGroup g = w.inService;
        int cookie = w.inServiceCookie;
        w.inService = null;
        w.inServiceDone = false;
        ServicePacer win = window(w);
        win.fired();
        finish(g, cookie, policy());
        pump();
        win.idle();
    }

    /** The group's service is over: answer it as this kind of owner does. */
    private void finish(PageRequestGroup g, int cookie, FaultPolicy p) {
        Topology t = ctx.topology();
        if (t.isDeviceOwner(index)) {
            ctx.owner(t.ownerOfIoasid(g.ioasid())).tell(new Fault(g, getContext().getSelf()));
            return;
        }
        OwnerKind kind = t.ownerKind(index);
        switch (kind) {
            case HOST_SVA:
                serveSva(g, p);
                return;
            case GUEST:
                ctx.viommu(t.ownerViommu(index)).tell(new VIommu.Inject(g, index, cookie, p));
                return;
            default:
                FaultPolicy.Decision d = p.decide(ctx.seed(), g);
                // a failing user-space handler tries Failure; the uAPI refuses it (see writeResponse)
                writeResponse(cookie, d == FaultPolicy.Decision.HANDLER_FAILS ? ResponseCode.RESPONSE_FAILURE : FaultPolicy.codeFor(kind, d));
        }
    }

    private void serveSva(PageRequestGroup g, FaultPolicy p) {
        FaultPolicy.Decision d = p.decide(ctx.seed(), g);
        if (d == FaultPolicy.Decision.HANDLER_FAILS) {
            Work w = work;
            if (w != null) w.handlerFailed++;
            ctx.ownerCounters().handlerFailed.increment();
            answerAuto(g, AutoReason.HANDLER_FAILED);
        } else {
            answer(g, FaultPolicy.codeFor(OwnerKind.HOST_SVA, d));
        }
    }

    /** User space writes one {cookie, code} record to the fault fd; the kernel answers the group if it accepts it. */
    private void writeResponse(int cookie, ResponseCode code) {
        Work w = work();
        if (w.fd == null) w.fd = new IommufdFaultQueue();
        IommufdFaultQueue.WriteResult r = w.fd.write(List.of(PageResponse.of(cookie, code)), this::respondFromFd);
        if (r.errno() == IommufdFaultQueue.EINVAL) {
            if (code == ResponseCode.RESPONSE_FAILURE) {
                w.failureWritesRefused++; // the group stays pending in the fd until the IOMMU times it out
                ctx.ownerCounters().failureWritesRefused.increment();
            } else {
                w.unknownCookieWrites++;
                ctx.ownerCounters().unknownCookieWrites.increment();
            }
        }
    }

    private void respondFromFd(PageRequestGroup g, int code) {
        answer(g, code == IommufdFaultQueue.RESP_SUCCESS ? ResponseCode.SUCCESS : ResponseCode.INVALID);
    }

    // ---------------------------------------------------------------- answers

    /** To the IOMMU when this owner is the group's handler, else to the device owner that relayed it. */
    private void answer(PageRequestGroup g, ResponseCode code) {
        int handler = g.handler();
        if (handler == index) answerIommu(g, new IommuUnit.Answer(g, index, code));
        else ctx.owner(handler).tell(new Relayed(g, code, null));
    }

    /** The handler's own answer to the unit, through the message faults when failure injection has put some there. */
    private void answerIommu(PageRequestGroup g, IommuUnit.Command m) {
        ActorRef<IommuUnit.Command> unit = ctx.iommu(g.iommu());
        FabricContext.Interposer interposer = ctx.interposer();
        if (interposer == null) unit.tell(m);
        else interposer.answer(g, index, unit, m);
    }

    private void answerAuto(PageRequestGroup g, AutoReason reason) {
        int handler = g.handler();
        if (handler == index) ctx.iommu(g.iommu()).tell(new IommuUnit.AutoAnswer(g, index, reason));
        else ctx.owner(handler).tell(new Relayed(g, null, reason));
    }

    private void onRelayed(Relayed m) {
        PageRequestGroup g = m.group();
        if (m.code() != null) answerIommu(g, new IommuUnit.Answer(g, index, m.code()));
        else ctx.iommu(g.iommu()).tell(new IommuUnit.AutoAnswer(g, index, m.autoReason()));
    }

    private void onGuestAnswer(GuestAnswer m) {
        writeResponse(m.cookie(), m.code());
    }

    private void onGuestRefused(GuestRefused m) {
        Work w = work();
        if (w.fd == null) w.fd = new IommufdFaultQueue();
        // the VMM completes the host group Success, as hardware does on overflow, and it is counted with its reason
        IommufdFaultQueue.WriteResult r = w.fd.write(List.of(new PageResponse(m.cookie(), IommufdFaultQueue.RESP_SUCCESS)), (g, code) -> {
            w.virtualQueueFull++;
            ctx.ownerCounters().virtualQueueFull.increment();
            answerAuto(g, AutoReason.VIRTUAL_QUEUE_FULL);
        });
        if (r.errno() != 0) {
            w.unknownCookieWrites++;
            ctx.ownerCounters().unknownCookieWrites.increment();
        }
    }

    // ---------------------------------------------------------------- control

    private void onDetached(Detached m) {
        // relayed groups were told to their owner before this: passed on after them, it finds them there
        if (m.relayTo() >= 0) ctx.owner(m.relayTo()).tell(new Detached(m.rid(), m.pasid()));
        Work w = work;
        if (w == null) return;
        int n = 0;
        if (w.groups != null) {
            int before = w.groups.size();
            w.groups.removeIf(g -> ofHandle(g, m.rid(), m.pasid()));
            n += before - w.groups.size();
        }
        if (w.fd != null) {
            n += w.fd.detach(m.rid(), m.pasid(), (g, code) -> {}); // the IOMMU answered them when it detached
            // a freed cookie may be handed out again: the reader must not keep it
            if (w.cookies != null) w.cookies.removeIf(c -> w.fd.awaiting(c) == null);
        }
        if (w.inService != null && ofHandle(w.inService, m.rid(), m.pasid())) {
            if (w.fd == null) n++;
            w.inService = null;
        }
        w.detachedDropped += n;
        ctx.ownerCounters().detachedDropped.add(n);
        pump();
    }

    private void onWithdrawn(Withdrawn m) {
        PageRequestGroup g = m.group();
        Work w = work;
        boolean found = false;
        if (w != null) {
            if (w.groups != null) found = w.groups.removeIf(x -> x == g);
            if (w.fd != null && w.fd.withdraw(g)) {
                found = true;
                if (w.cookies != null) w.cookies.removeIf(c -> w.fd.awaiting(c) == null); // a freed cookie may be handed out again
            }
            if (w.inService == g) {
                found |= w.fd == null;
                w.inService = null;
            }
            if (found) {
                w.withdrawnDropped++;
                ctx.ownerCounters().withdrawnDropped.increment();
            }
        }
        Topology t = ctx.topology();
        if (!found && t.isDeviceOwner(index) && g.handler() == index) {
            // not in the ring, so relayed (or answered): the IOASID's owner got it before this, from this owner
            ctx.owner(t.ownerOfIoasid(g.ioasid())).tell(m);
        }
        pump();
    }

    private static boolean ofHandle(PageRequestGroup g, int rid, int pasid) {
        return g.rid() == rid && (g.pasidPresent() ? g.pasid() : RoutingTable.NO_PASID) == pasid;
    }

    private void onHang(Hang m) {
        if (m.hung()) {
            work().hung = true;
            return;
        }
        Work w = work;
        if (w == null) return;
        w.hung = false;
        if (w.inService != null && w.inServiceDone) completeService(w);
        else pump();
    }

    private void onSetPolicy(SetPolicy m) {
        work().override = m.policy();
        pump();
    }

    // ---------------------------------------------------------------- failure

    private Behavior<Command> onSignal(Signal s) {
        if (s instanceof PostStop && work != null && (work.failed || work.hasPending())) failed(work.failed);
        return Behaviors.same();
    }

    /** This incarnation ends with groups possibly pending: nothing it held may be forgotten. */
    private void failed(boolean failure) {
        Topology t = ctx.topology();
        if (failure) ctx.ownerCounters().ownerFailures.increment();
        for (int i = 0; i < t.iommuCount(); i++) {
            ActorRef<IommuUnit.Command> unit = ctx.iommu(i);
            if (unit != null) unit.tell(new IommuUnit.OwnerFailed(index, AutoReason.HANDLER_FAILED));
        }
        Work w = work;
        if (w != null) {
            // groups a device owner relayed are outstanding under the device owner: it answers them
            w.forEachPending(g -> {
                if (g.handler() != index) ctx.owner(g.handler()).tell(new Relayed(g, null, AutoReason.HANDLER_FAILED));
            });
        }
        if (!t.isDeviceOwner(index) && t.ownerKind(index) == OwnerKind.GUEST) {
            ActorRef<VIommu.Command> v = ctx.viommu(t.ownerViommu(index));
            if (v != null) v.tell(new VIommu.ForgetOwner(index)); // the next incarnation's cookies must not receive old answers
        }
        getContext().getLog().debug("owner {} ended ({}); its pending groups are answered {}", index,
            failure ? "failed" : "stopped", AutoReason.HANDLER_FAILED);
    }

    // ---------------------------------------------------------------- state

    private Work work() {
        if (work == null) work = new Work();
        return work;
    }

    private FaultPolicy policy() {
        Work w = work;
        return w != null && w.override != null ? w.override : ctx.policy(index);
    }

    private ServicePacer window(Work w) {
        if (w.window == null) w.window = ctx.serviceClock(getContext().getSystem()).newPacer();
        return w.window;
    }

    private Snapshot snapshot() {
        Topology t = ctx.topology();
        Work w = work;
        return new Snapshot(index, t.ownerKind(index), t.isDeviceOwner(index), policy(), w != null && w.hung, w == null ? 0 : w.waiting(),
            w != null && w.inService != null, w == null || w.fd == null ? 0 : w.fd.awaitingCount(),
            w == null ? 0 : w.ownerQueueFull, w == null ? 0 : w.handlerFailed, w == null ? 0 : w.failureWritesRefused,
            w == null ? 0 : w.unknownCookieWrites, w == null ? 0 : w.virtualQueueFull, w == null ? 0 : w.detachedDropped,
            w == null ? 0 : w.withdrawnDropped);
    }
}
