package io.faultfabric.actors;

import io.faultfabric.engine.DeviceState;
import io.faultfabric.engine.LongIntMap;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.Prgi;
import io.faultfabric.engine.check.DeviceChecker;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.workload.FaultSequence;
import org.HdrHistogram.Histogram;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.pattern.StatusReply;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A PCIe device with PRI: a physical function and its VFs, sharing one outstanding page request
 * allocation. It sends page requests to its IOMMU unit only while it holds credits (the rules are
 * the engine's {@link DeviceState}); a group response returns the credits of the whole group.
 * Response Failure disables PRI for every function until {@link Reset}.
 *
 * <p>Or a stalling platform device behind an SMMUv3 (the topology says which): each fault is one transaction that stays
 * stalled until its one resume (RETRY or ABORT), and it stalls at most its limit at once, which stands in for the credits
 * as the bound on what it sends. No stop markers, and nothing is disabled by an ABORT.
 *
 * <p>Protocol:
 * <ul>
 *   <li>{@link Send}: caller-built requests (embedding); {@link Generate}: seeded faults at intended times (load).
 *       Both come from a stream with an ack protocol: the ack is sent only once every element of the
 *       message has gone out, so the device's credits are the stream's demand. Several streams may feed one
 *       device at once (one per function, say): each has one element waiting at most, served oldest first.</li>
 *   <li>{@link Responses}: answered groups from the IOMMU, coalesced per device.</li>
 *   <li>{@link StopPasid}: stop marker, then teardown of the PASID at the IOMMU; replies when drained.</li>
 *   <li>{@link Reset}: function-level reset; replies when the device has PRI back.</li>
 *   <li>{@link StreamStarted} (acked at once), {@link StreamCompleted}, {@link StreamFailed} (logged): the ends of a
 *       feeding stream; an element already taken is still sent. {@link Generate} tickets still unsent at their
 *       deadline are dropped.</li>
 *   <li>{@link Subscribe}: where to publish answered groups, with an ack protocol ({@link Published}; bounded by the
 *       allocation); {@link EndResponses} ends it and replies once the subscriber has the end.</li>
 *   <li>{@link Quiesce}: take no more stream elements (shutdown); {@link GetSnapshot}; {@link Finish} at the end of a
 *       run: groups never answered are reported as lost.</li>
 * </ul>
 * After a Response Failure the device's driver resets it by itself once {@link FabricContext#driverRecovery()} has passed,
 * when that is set.
 */
public final class Device extends AbstractBehavior<Device.Command> {

    public interface Command {}

    public enum Ack { INSTANCE }

    /** Caller-built page requests for this device's functions. */
    public record Send(List<PageRequest> requests, ActorRef<Ack> ackTo) implements Command {}

    /**
     * Issue one seeded group per intended issue time (System.nanoTime; 0 means "when sent": the closed model),
     * in order, keeping at most {@code maxOutstanding} groups outstanding. Tickets still unsent once System.nanoTime
     * passes {@code deadlineNanos} are not issued: a load with a duration ends there ({@link #NO_DEADLINE}: never).
     */
    public record Generate(long[] intendedNanos, int count, int maxOutstanding, long deadlineNanos, ActorRef<Ack> ackTo) implements Command {}

    /** A {@link Generate} without a deadline. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** The stream feeding this device started; ack to get the first element. */
    public record StreamStarted(ActorRef<Ack> ackTo) implements Command {}

    public enum StreamCompleted implements Command { INSTANCE }

    public record StreamFailed(Throwable cause) implements Command {}

    /**
     * A feeding stream has ended, after its last element: {@code issued} completes once every element the device held
     * when this came is all sent or dropped (at its deadline, or because the device was quiesced or stopped). Lets a
     * load know when its tickets are really out, not merely handed to the device.
     */
    public record StreamEnded(java.util.concurrent.CompletableFuture<Done> issued) implements Command {}

    public record Responses(List<PageRequestGroup> groups) implements Command {}

    public record StopPasid(int rid, int pasid, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    public record Reset(ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /**
     * Publish answered groups to {@code subscriber}, one batch at a time, each acked with {@link Published};
     * a null subscriber ends the subscription: what is left is published, then {@link #END_OF_RESPONSES}.
     */
    public record Subscribe(ActorRef<List<PageRequestGroup>> subscriber) implements Command {}

    /** The batch that ends a response subscription; compared by identity. */
    public static final List<PageRequestGroup> END_OF_RESPONSES = java.util.Collections.unmodifiableList(new ArrayList<>(0));

    public enum Published implements Command { INSTANCE }

    /**
     * Ends the response subscription as {@code Subscribe(null)} does, and replies once {@link #END_OF_RESPONSES} has gone
     * to the subscriber (at once when there is none): after that the device may stop without leaving the stream open.
     */
    public record EndResponses(ActorRef<Done> replyTo) implements Command {}

    public record GetSnapshot(ActorRef<Snapshot> replyTo) implements Command {}

    /**
     * The run is over and every response is in (the IOMMUs have answered what they held): each closed group still
     * awaiting its answer is recorded as lost (invariant 1) with what the device knows of it; replies with the snapshot.
     */
    public record Finish(ActorRef<Snapshot> replyTo) implements Command {}

    /** Stop sending: stream elements are no longer taken (for shutdown); replies once nothing is left unsent. */
    public record Quiesce(ActorRef<Done> replyTo) implements Command {}

    /**
     * @param latencyMicros       per answered group, from its intended issue time (open models: includes any lag of the
     *                            load generator behind its schedule, as wrk2 measures)
     * @param engineLatencyMicros per answered group, from the moment this device sent its last request to the response:
     *                            the time spent inside the fabric alone
     */
    public record Snapshot(int device, OutcomeLedger ledger, int creditsInUse, int groupsOutstanding, boolean priEnabled,
                           boolean responseFailure, Histogram latencyMicros, int checkerInFlight, int checkerOutstanding,
                           Histogram engineLatencyMicros) {}

    private record DrainReply(int rid, int pasid, StatusReply<Done> reply, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** The driver's recovery from Response Failure is due. */
    private enum Recover implements Command { INSTANCE }

    public static Behavior<Command> create(int device, FabricContext ctx, FaultSequence faults) {
        return Behaviors.setup(context -> new Device(context, device, ctx, faults));
    }

    private final int device;
    private final FabricContext ctx;
    private final DeviceState state;
    private final DeviceChecker checker;
    private final FaultSequence faults;
    private final ActorRef<IommuUnit.Command> iommu;
    private final int batchLimit;
    /** Latencies are recorded up to an hour (in µs); a longer one counts as an hour. */
    private static final long MAX_LATENCY_MICROS = 3_600_000_000L;
    // both histograms grow with the largest value they hold: an idle device's are a few KB, not 200 KB, and 256 of them
    // add up at 2^20 PASIDs. The in-engine one keeps two digits, exact below 256 µs.
    private final Histogram latency = autoResizing(3);
    private final Histogram engineLatency = autoResizing(2);
    // per function*512+prgi: System.nanoTime when the group's last request went out
    private final long[] sentNanos;
    private final boolean stalls;
    // a stalling device: per transaction (its sequence), µs after startNanos when it went out
    private final LongIntMap stallSentMicros;
    private final long startNanos = System.nanoTime();

    // the stream elements not yet all sent, one per feeding stream at most (each waits for its ack), oldest first
    private final ArrayDeque<Feed> feeds = new ArrayDeque<>(2);
    private long feedSequence; // elements taken so far: the next Feed's number
    // ended streams waiting for the elements taken before their end to be out (see StreamEnded)
    private final ArrayDeque<Ending> endings = new ArrayDeque<>(0);

    private record Ending(java.util.concurrent.CompletableFuture<Done> issued, long before) {}
    private boolean quiesced;
    private boolean recoveryDue;

    private ArrayList<PageRequest> outgoing;
    // made once: a method reference passed on every generated fault was a new object per fault
    private final java.util.function.Consumer<PageRequest> sendGenerated = this::sendGenerated;
    private final List<ActorRef<StatusReply<Done>>> resetWaiters = new ArrayList<>();
    private final List<ActorRef<Done>> endWaiters = new ArrayList<>(0);

    private ActorRef<List<PageRequestGroup>> subscriber;
    private List<PageRequestGroup> unpublished = new ArrayList<>();
    private boolean publishInFlight;
    private boolean endingSubscription;
    private boolean publishing;
    private int unpublishedCount;

    private Device(ActorContext<Command> context, int device, FabricContext ctx, FaultSequence faults) {
        super(context);
        this.device = device;
        this.ctx = ctx;
        Topology t = ctx.topology();
        this.state = ctx.sabotage().deviceState(device, t.deviceRids(device), t.deviceAllocation(device), t.deviceStalls(device));
        this.checker = new DeviceChecker(t.deviceRids(device), t.deviceAllocation(device), t.deviceStalls(device), ctx.violations());
        this.faults = faults;
        this.iommu = ctx.iommu(t.deviceIommu(device));
        this.batchLimit = ctx.settings().deviceBatch();
        this.outgoing = new ArrayList<>(batchLimit);
        this.publishing = ctx.publishResponses();
        this.stalls = t.deviceStalls(device);
        this.sentNanos = stalls ? null : new long[t.deviceRids(device).length * Prgi.COUNT];
        this.stallSentMicros = stalls ? new LongIntMap(Math.min(t.deviceAllocation(device), 1 << 12)) : null;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessage(Send.class, this::onSend)
            .onMessage(Generate.class, this::onGenerate)
            .onMessage(StreamStarted.class, m -> { m.ackTo().tell(Ack.INSTANCE); return this; })
            .onMessageEquals(StreamCompleted.INSTANCE, () -> this)
            .onMessage(StreamEnded.class, m -> {
                endings.addLast(new Ending(m.issued(), feedSequence));
                completeEndings();
                return this;
            })
            .onMessage(StreamFailed.class, m -> {
                getContext().getLog().warn("the request stream of device {} failed: {}", device, m.cause().toString());
                return this;
            })
            .onMessage(Responses.class, this::onResponses)
            .onMessage(StopPasid.class, this::onStopPasid)
            .onMessage(DrainReply.class, m -> { m.replyTo().tell(m.reply()); return this; })
            .onMessage(Reset.class, this::onReset)
            .onMessage(Subscribe.class, m -> {
                if (m.subscriber() == null) endingSubscription = subscriber != null;
                else {
                    // a subscriber that comes without FabricContext.publishResponses sees answers from now on
                    subscriber = m.subscriber();
                    publishing = true;
                }
                publish();
                return this;
            })
            .onMessageEquals(Published.INSTANCE, () -> { publishInFlight = false; publish(); resume(); return this; })
            .onMessage(EndResponses.class, m -> {
                if (subscriber == null) {
                    m.replyTo().tell(Done.getInstance());
                    return this;
                }
                endingSubscription = true;
                endWaiters.add(m.replyTo());
                publish();
                return this;
            })
            .onMessage(GetSnapshot.class, m -> { m.replyTo().tell(snapshot()); return this; })
            .onMessage(Finish.class, m -> {
                checker.finish(ctx.violations());
                m.replyTo().tell(snapshot());
                return this;
            })
            .onMessageEquals(Recover.INSTANCE, () -> {
                recoveryDue = false;
                if (state.responseFailureStatus() && !state.resetting()) onReset(new Reset(getContext().getSystem().ignoreRef()));
                return this;
            })
            .onMessage(Quiesce.class, m -> {
                quiesced = true;
                flushOutgoing();
                endAll(); // nothing more will be sent
                m.replyTo().tell(Done.getInstance());
                return this;
            })
            .onSignal(PostStop.class, sig -> {
                endAll(); // stopped: nothing more will be sent
                return this;
            })
            .build();
    }

    /**
     * One stream element the device has taken and not yet sent in full: caller-built requests or fault tickets, how
     * far it got, and whom to ack when it is all out.
     */
    private static final class Feed {
        final List<PageRequest> requests;
        final long[] tickets;
        final int count;
        final int maxOutstanding;
        final long deadline;
        final ActorRef<Ack> ackTo;
        final long sequence;
        int next;

        Feed(List<PageRequest> requests, long[] tickets, int count, int maxOutstanding, long deadline, ActorRef<Ack> ackTo, long sequence) {
            this.requests = requests;
            this.tickets = tickets;
            this.count = count;
            this.maxOutstanding = maxOutstanding;
            this.deadline = deadline;
            this.ackTo = ackTo;
            this.sequence = sequence;
        }
    }

    private Behavior<Command> onSend(Send m) {
        feeds.addLast(new Feed(m.requests(), null, m.requests().size(), Integer.MAX_VALUE, NO_DEADLINE, m.ackTo(), feedSequence++));
        resume();
        return this;
    }

    private Behavior<Command> onGenerate(Generate m) {
        if (faults == null) throw new IllegalStateException("device " + device + " has no fault sequence to generate from");
        feeds.addLast(new Feed(null, m.intendedNanos(), m.count(), m.maxOutstanding(), m.deadlineNanos(), m.ackTo(), feedSequence++));
        resume();
        return this;
    }

    /**
     * Sends as much of each waiting stream element as credits allow, oldest first, and acks each once it is all out.
     * Several streams may feed one device (one per function, say): each has at most one element here, and one that
     * must wait (for credits, a PRGI, a reset) does not hold up the others.
     */
    private void resume() {
        if (feeds.isEmpty() || quiesced || blockedByPublishing()) return;
        List<ActorRef<Ack>> done = null;
        for (java.util.Iterator<Feed> it = feeds.iterator(); it.hasNext(); ) {
            Feed f = it.next();
            if (f.requests != null) sendRequests(f);
            else generate(f);
            if (f.next == f.count) {
                it.remove();
                if (done == null) done = new ArrayList<>(2);
                done.add(f.ackTo);
            }
        }
        flushOutgoing();
        // acked after the flush: whoever learns that an element is sent can count on its requests being at the unit
        if (done != null) {
            for (ActorRef<Ack> a : done) a.tell(Ack.INSTANCE);
            completeEndings();
        }
    }

    /** Ended streams whose elements are all out: every element taken before the end has left the queue of feeds. */
    private void completeEndings() {
        long oldest = feeds.isEmpty() ? Long.MAX_VALUE : feeds.peekFirst().sequence;
        while (!endings.isEmpty() && endings.peekFirst().before() <= oldest) endings.pollFirst().issued().complete(Done.getInstance());
    }

    private void endAll() {
        while (!endings.isEmpty()) endings.pollFirst().issued().complete(Done.getInstance());
    }

    private void sendRequests(Feed f) {
        while (f.next < f.count) {
            PageRequest r = f.requests.get(f.next);
            DeviceState.Issue st = state.issue(r);
            if (st == DeviceState.Issue.ISSUED) {
                checker.onIssued(r);
                outgoing.add(r);
            } else if (st == DeviceState.Issue.NO_CREDIT || st == DeviceState.Issue.RESETTING || st == DeviceState.Issue.PRGI_BUSY) {
                return; // wait for a response to free credits or the PRGI
            } else if (st == DeviceState.Issue.NOT_MY_RID) {
                getContext().getLog().warn("device {} was asked to send {} which is not one of its functions; dropped", device, r);
            } else if (st == DeviceState.Issue.NOT_A_STALL) {
                getContext().getLog().warn("device {} stalls (no PRI) and was asked to send {}, which is not a single faulting transaction; dropped", device, r);
            }
            f.next++;
            if (outgoing.size() >= batchLimit) flushOutgoing();
        }
    }

    private void generate(Feed f) {
        while (f.next < f.count) {
            if (f.deadline != NO_DEADLINE && System.nanoTime() - f.deadline > 0) {
                f.next = f.count; // the load is over: what is left of its tickets is not owed
                return;
            }
            if (state.groupsOutstanding() >= f.maxOutstanding) return;
            long intended = f.tickets[f.next];
            int n = faults.issueNext(state, intended == 0 ? System.nanoTime() : intended, sendGenerated);
            if (n == 0) {
                if (!state.priEnabled() && !state.resetting()) {
                    state.ledger().dropped[io.faultfabric.engine.DropReason.PRI_DISABLED.ordinal()]++;
                    f.next++; // PRI is off until reset: the fault is not sent, and counted
                    continue;
                }
                return;
            }
            f.next++;
            if (outgoing.size() >= batchLimit) flushOutgoing();
        }
    }

    private void sendGenerated(PageRequest r) {
        checker.onIssued(r);
        outgoing.add(r);
    }

    private boolean blockedByPublishing() {
        return publishing && unpublishedCount >= state.allocation();
    }

    private void flushOutgoing() {
        if (outgoing.isEmpty()) return;
        long now = System.nanoTime();
        for (int i = 0, n = outgoing.size(); i < n; i++) {
            PageRequest r = outgoing.get(i);
            if (stalls) {
                stallSentMicros.put(r.sequence() & Long.MAX_VALUE, (int) Math.min(Integer.MAX_VALUE - 1, (now - startNanos) / 1000));
            } else if (r.last() && !r.isStopMarker()) {
                int fn = state.functionOf(r.rid());
                if (fn >= 0) sentNanos[fn * Prgi.COUNT + r.prgi()] = now;
            }
        }
        iommu.tell(new IommuUnit.Requests(outgoing));
        outgoing = new ArrayList<>(batchLimit);
    }

    private Behavior<Command> onResponses(Responses m) {
        long now = System.nanoTime();
        GroupObserver observer = ctx.groupObserver();
        List<PageRequestGroup> groups = m.groups();
        for (int i = 0, n = groups.size(); i < n; i++) {
            PageRequestGroup g = groups.get(i);
            checker.onResponse(g);
            int fn = state.functionOf(g.rid());
            if (state.onResponse(g)) {
                long micros = Math.max(0, (now - g.issuedNanos()) / 1000);
                latency.recordValue(Math.min(micros, MAX_LATENCY_MICROS));
                if (observer != null) observer.onAnswered(device, g, micros);
                long inEngine = Math.max(0, stalls ? (now - startNanos) / 1000 - sentMicros(g.sequence())
                    : (now - sentNanos[fn * Prgi.COUNT + g.prgi()]) / 1000);
                engineLatency.recordValue(Math.min(inEngine, MAX_LATENCY_MICROS));
            }
            if (publishing) {
                unpublished.add(g);
                unpublishedCount++;
            }
        }
        if (!resetWaiters.isEmpty() && !state.resetting()) finishReset();
        if (state.responseFailureStatus() && !recoveryDue && ctx.driverRecovery() != null) {
            recoveryDue = true;
            getContext().scheduleOnce(ctx.driverRecovery(), getContext().getSelf(), Recover.INSTANCE);
        }
        publish();
        resume();
        return this;
    }

    private long sentMicros(long sequence) {
        int v = stallSentMicros.remove(sequence & Long.MAX_VALUE);
        return v == LongIntMap.MISSING ? 0 : v;
    }

    private void publish() {
        if (subscriber == null || publishInFlight) return;
        if (unpublished.isEmpty()) {
            if (endingSubscription) {
                subscriber.tell(END_OF_RESPONSES);
                subscriber = null;
                endingSubscription = false;
                for (ActorRef<Done> w : endWaiters) w.tell(Done.getInstance());
                endWaiters.clear();
            }
            return;
        }
        List<PageRequestGroup> batch = unpublished;
        unpublished = new ArrayList<>();
        unpublishedCount = 0;
        publishInFlight = true;
        subscriber.tell(batch);
    }

    private Behavior<Command> onStopPasid(StopPasid m) {
        int fn = state.functionOf(m.rid());
        if (fn < 0) {
            m.replyTo().tell(StatusReply.error("rid " + m.rid() + " is not a function of device " + device));
            return this;
        }
        PageRequest marker = PageRequest.stopMarker(m.rid(), m.pasid(), 0, System.nanoTime());
        if (state.issue(marker) == DeviceState.Issue.ISSUED) {
            checker.onIssued(marker);
            outgoing.add(marker);
            flushOutgoing();
        }
        getContext().askWithStatus(Done.class, iommu, Duration.ofSeconds(30),
            ref -> new IommuUnit.Detach(m.rid(), m.pasid(), ref),
            (done, failure) -> new DrainReply(m.rid(), m.pasid(),
                failure == null ? StatusReply.ack() : StatusReply.error(failure.getMessage()), m.replyTo()));
        return this;
    }

    private Behavior<Command> onReset(Reset m) {
        checker.onResetBegun();
        resetWaiters.add(m.replyTo());
        boolean done = state.beginReset();
        for (int rid : state.rids()) {
            iommu.tell(new IommuUnit.ResetDevice(rid, getContext().getSystem().ignoreRef()));
        }
        if (done) finishReset();
        return this;
    }

    private void finishReset() {
        checker.onResetDone();
        for (ActorRef<StatusReply<Done>> w : resetWaiters) w.tell(StatusReply.ack());
        resetWaiters.clear();
        resume();
    }

    private static Histogram autoResizing(int digits) {
        Histogram h = new Histogram(digits);
        h.setAutoResize(true);
        return h;
    }

    private Snapshot snapshot() {
        return new Snapshot(device, state.ledger().copy(), state.creditsInUse(), state.groupsOutstanding(), state.priEnabled(),
            state.responseFailureStatus(), latency.copy(), checker.inFlight(), checker.outstandingGroups(), engineLatency.copy());
    }
}
