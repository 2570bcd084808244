package io.faultfabric.actors;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.owner.FaultPolicy;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * The devices node's door to owners on other nodes. In cluster mode the {@link FabricContext} directory maps every
 * owner index to this one actor, so IOMMU units dispatch {@link IoasidOwner.Fault} exactly as they do locally.
 * It turns each group into a serializable {@link ShardedOwner.Handle} for the owner's shard, holds the group until an
 * answer comes back, and hands the {@link Answered} identifiers to the group's IOMMU unit, which validates them (a
 * second answer to the same group is rejected there and counted).
 *
 * <p>Exactly one response across node loss (docs/cluster.md):
 * <ul>
 *   <li>It knows each shard's home node from the start ({@link ShardedOwner.Warmed}) and from every answer.</li>
 *   <li>Re-send: a group whose answer has not come within {@code faultfabric.cluster.resend-interval}, while its shard
 *       has answered nothing for as long, is sent again, at most {@code max-resends} times after each change of its
 *       shard's home, the k-th re-send after {@code resend-interval * 2^(k-1)} (a shard that keeps answering is slow, not cut off: re-sending to it would only add load to an
 *       overloaded path). When a shard's home changes (an answer comes from another node, or its node is removed),
 *       every group held for that shard is sent again at once, to the new home; so is a group an owner's entity
 *       reports dropped when it stops in a handoff ({@link Answered#dropped()}). The entity ignores a copy of a group it
 *       holds or has answered ({@link ShardedOwner}); a second answer that still comes is rejected by the IOMMU as a
 *       duplicate.</li>
 *   <li>A node that becomes unreachable: every group held for its shards is answered NODE_DOWN at once, and new groups
 *       for them too while it stays unreachable.</li>
 *   <li>A group the IOMMU answers over the owner's head (its response timeout, a detach) is no longer held:
 *       {@link IoasidOwner.Withdrawn}, {@link IoasidOwner.Detached}. Groups held longer than twice the response
 *       timeout are forgotten (a safety net; the IOMMU has answered them).</li>
 * </ul>
 *
 * <p>Protocol: {@link IoasidOwner.Fault}, {@link Answered}, {@code Withdrawn}, {@code Detached}, the cluster's
 * reachability and removal events, the shard homes of the warm-up, and a private tick. Every other message sent to an
 * owner index ({@code Hang}, {@code Crash}, {@code SetPolicy}, {@code GetSnapshot}) is ignored: those have no
 * counterpart across nodes.
 */
public final class OwnerGateway extends AbstractBehavior<Object> {

    /**
     * An owner's answer, by identifiers: exactly one of {@code code} and {@code auto} is non-null; or neither, when the
     * owner's entity stopped before it answered (its shard handed off): {@link #dropped()}, the gateway sends it again.
     */
    public record Answered(int iommu, int rid, int pasid, int prgi, long groupId, int from, ResponseCode code, AutoReason auto,
                           String node) implements CrossNode {

        /** Not an answer: the owner stopped holding this group unanswered (handoff); it is to be sent again. */
        public boolean dropped() { return code == null && auto == null; }
    }

    private static final int DROPPED = Integer.MIN_VALUE;

    /**
     * Owners' answers from one node, column by column ({@link OwnerInbox}). {@code outcome[i]}: a {@link ResponseCode}
     * ordinal, or {@code -1 - }{@link AutoReason} ordinal, or {@code Integer.MIN_VALUE} (dropped); {@code node[i]} indexes
     * {@code nodes}, the node that answered.
     */
    public record AnsweredBatch(int[] iommu, int[] rid, int[] pasid, int[] prgi, long[] groupId, int[] from, int[] outcome,
                                java.util.List<String> nodes, int[] node) implements CrossNode {

        public int size() { return iommu.length; }

        public static AnsweredBatch of(java.util.List<Answered> as) {
            int n = as.size();
            AnsweredBatch b = new AnsweredBatch(new int[n], new int[n], new int[n], new int[n], new long[n], new int[n], new int[n],
                new ArrayList<>(2), new int[n]);
            for (int i = 0; i < n; i++) {
                Answered a = as.get(i);
                b.iommu[i] = a.iommu();
                b.rid[i] = a.rid();
                b.pasid[i] = a.pasid();
                b.prgi[i] = a.prgi();
                b.groupId[i] = a.groupId();
                b.from[i] = a.from();
                b.outcome[i] = a.dropped() ? DROPPED : a.auto() != null ? -1 - a.auto().ordinal() : a.code().ordinal();
                int k = b.nodes.indexOf(a.node());
                if (k < 0) {
                    k = b.nodes.size();
                    b.nodes.add(a.node());
                }
                b.node[i] = k;
            }
            return b;
        }

        public Answered answered(int i) {
            int o = outcome[i];
            return new Answered(iommu[i], rid[i], pasid[i], prgi[i], groupId[i], from[i], o >= 0 ? ResponseCode.values()[o] : null,
                o < 0 && o != DROPPED ? AutoReason.values()[-1 - o] : null, nodes.get(node[i]));
        }
    }

    /** Counts of this gateway, for tests and reports. */
    public static final class Counters {
        public final LongAdder sent = new LongAdder();
        public final LongAdder answered = new LongAdder();
        public final LongAdder lateAnswers = new LongAdder();
        public final LongAdder nodeDown = new LongAdder();
        public final LongAdder forgotten = new LongAdder();
        /** Groups sent again because their answer was late (at most max-resends each, counted afresh when its shard moves). */
        public final LongAdder resent = new LongAdder();
        /** Groups sent again because their owner's entity stopped (handoff) with them unanswered and said so. */
        public final LongAdder resentOnDrop = new LongAdder();
        /** Groups sent again because their shard's home changed. */
        public final LongAdder resentOnMove = new LongAdder();
        /** Groups answered by their owner after they had been sent again. */
        public final LongAdder answeredAfterResend = new LongAdder();
        /** Held groups their IOMMU answered over the owner's head (timeout, detach): not sent again. */
        public final LongAdder withdrawn = new LongAdder();
        /** Messages that carried groups to owners' nodes in batches ({@link OwnerInbox}), and the groups they carried. */
        public final LongAdder batches = new LongAdder();
        public final LongAdder batchedGroups = new LongAdder();
        /** Answers received, by the address of the owner's node. */
        public final java.util.concurrent.ConcurrentHashMap<String, LongAdder> answeredByNode = new java.util.concurrent.ConcurrentHashMap<>();

        public long answeredBy(String node) {
            LongAdder a = answeredByNode.get(node);
            return a == null ? 0 : a.sum();
        }

        @Override
        public String toString() {
            return "sent " + sent.sum() + ", answered " + answered.sum() + " (" + answeredAfterResend.sum() + " after a re-send), re-sent "
                + resent.sum() + " late + " + resentOnMove.sum() + " on a shard move + " + resentOnDrop.sum() + " dropped by a handoff, NODE_DOWN " + nodeDown.sum() + ", late answers "
                + lateAnswers.sum() + ", withdrawn " + withdrawn.sum() + ", forgotten " + forgotten.sum() + ", " + batchedGroups.sum()
                + " groups sent in " + batches.sum() + " batches, by node " + answeredByNode;
        }
    }

    private enum Tick { INSTANCE }

    private enum ResendMoved { INSTANCE }

    private enum Flush { INSTANCE }

    /** Groups for one node's inbox go in one message at most this many. */
    static final int MAX_BATCH = 512;


    /** The warm-up's replies: where each shard's first owner started. */
    private record Homes(java.util.List<ShardedOwner.Warmed> warmed, Throwable failure) {}

    /** A group sent to its owner and not yet answered. */
    private static final class Held {
        final PageRequestGroup group;
        final ShardedOwner.Handle handle;
        final int shard;
        final long firstNanos;
        // when the re-send timer last looked at it (the order of held), and when its next timed re-send is due
        long lastNanos;
        long dueNanos;
        int timedResends;
        int attempts;

        Held(PageRequestGroup group, ShardedOwner.Handle handle, int shard, long now) {
            this.group = group;
            this.handle = handle;
            this.shard = shard;
            this.firstNanos = now;
            this.lastNanos = now;
        }
    }

    public static Behavior<Object> create(FabricContext ctx, ActorRef<ShardingEnvelope<ShardedOwner.Command>> region, int shards,
                                          Counters counters, ClusterSettings settings,
                                          CompletionStage<java.util.List<ShardedOwner.Warmed>> homes) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
            new OwnerGateway(context, timers, ctx, region, shards, counters, settings, homes)));
    }

    private final FabricContext ctx;
    private final ActorRef<ShardingEnvelope<ShardedOwner.Command>> region;
    private final int shards;
    private final Counters counters;
    private final ActorRef<Answered> self;
    private final String[] shardHome;
    // when each shard last answered (System.nanoTime), to tell a slow shard from a silent one
    private final long[] shardAnswered;
    private final Set<String> unreachable = new HashSet<>();
    // in the order of their last send: the groups due for a re-send are at the head
    private final LinkedHashMap<Long, Held> held = new LinkedHashMap<>();
    private final ArrayList<Held> scratch = new ArrayList<>();
    private final BitSet moved = new BitSet();
    private boolean resendMovedScheduled;
    // each owners node's inbox, by node address (its well-known path there), and the groups waiting for the next flush to it
    private final Map<String, ActorRef<OwnerInbox.Batch>> inboxes = new HashMap<>();
    private final Map<String, ArrayList<ShardedOwner.Handle>> toSend = new HashMap<>();
    private boolean flushScheduled;
    private final ActorRef<AnsweredBatch> selfBatch;
    private final long forgetNanos;
    private final long resendNanos;
    private final int maxResends;

    private OwnerGateway(ActorContext<Object> context, TimerScheduler<Object> timers, FabricContext ctx,
                         ActorRef<ShardingEnvelope<ShardedOwner.Command>> region, int shards, Counters counters,
                         ClusterSettings settings, CompletionStage<java.util.List<ShardedOwner.Warmed>> homes) {
        super(context);
        this.ctx = ctx;
        this.region = region;
        this.shards = shards;
        this.counters = counters;
        this.self = context.getSelf().narrow();
        this.selfBatch = context.getSelf().narrow();
        this.shardHome = new String[shards];
        this.shardAnswered = new long[shards];
        java.util.Arrays.fill(shardAnswered, System.nanoTime());
        this.forgetNanos = ctx.settings().responseTimeout().multipliedBy(2).toNanos();
        this.resendNanos = settings.resendInterval().toNanos();
        this.maxResends = settings.maxResends();
        Cluster cluster = Cluster.get(context.getSystem());
        cluster.subscriptions().tell(Subscribe.create(context.getSelf().narrow(), ClusterEvent.ReachabilityEvent.class));
        cluster.subscriptions().tell(Subscribe.create(context.getSelf().narrow(), ClusterEvent.MemberRemoved.class));
        context.pipeToSelf(homes, Homes::new);
        timers.startTimerAtFixedRate(Tick.INSTANCE, Duration.ofNanos(Math.max(1_000_000L, resendNanos / 2)));
    }

    static long key(int iommu, long groupId) {
        return (groupId << 10) | iommu;
    }

    @Override
    public Receive<Object> createReceive() {
        return newReceiveBuilder()
            .onMessage(IoasidOwner.Fault.class, this::onFault)
            .onMessage(Answered.class, this::onAnswered)
            .onMessage(AnsweredBatch.class, this::onAnsweredBatch)
            .onMessageEquals(Flush.INSTANCE, this::onFlush)
            .onMessage(IoasidOwner.Withdrawn.class, this::onWithdrawn)
            .onMessage(IoasidOwner.Detached.class, this::onDetached)
            .onMessage(ClusterEvent.UnreachableMember.class, m -> onUnreachable(m.member().address().toString()))
            .onMessage(ClusterEvent.ReachableMember.class, m -> { unreachable.remove(m.member().address().toString()); return this; })
            .onMessage(ClusterEvent.MemberRemoved.class, m -> onRemoved(m.member().address().toString()))
            .onMessage(Homes.class, this::onHomes)
            .onMessageEquals(Tick.INSTANCE, this::onTick)
            .onMessageEquals(ResendMoved.INSTANCE, this::onResendMoved)
            .onSignal(org.apache.pekko.actor.typed.PostStop.class, m -> {
                getContext().getLog().info("owner gateway stopped: {}", counters);
                return this;
            })
            .onAnyMessage(m -> this)
            .build();
    }

    private Behavior<Object> onHomes(Homes m) {
        if (m.failure() != null) {
            getContext().getLog().warn("owner shards not all warmed: {}", m.failure().toString());
            return this;
        }
        // an answer may already have named a newer home: keep it
        for (ShardedOwner.Warmed w : m.warmed()) {
            int s = ClusterOwners.shardOf(w.owner(), shards);
            if (shardHome[s] == null) shardHome[s] = w.node();
        }
        return this;
    }

    private Behavior<Object> onFault(IoasidOwner.Fault f) {
        PageRequestGroup g = f.group();
        int owner = g.handler();
        int shard = ClusterOwners.shardOf(owner, shards);
        String home = shardHome[shard];
        if (home != null && unreachable.contains(home)) {
            nodeDown(g);
            return this;
        }
        FaultPolicy p = ctx.policy(owner);
        FaultPolicy.Decision d = p.decide(ctx.seed(), g);
        ResponseCode code = d == FaultPolicy.Decision.HANDLER_FAILS ? null : FaultPolicy.codeFor(ctx.topology().ownerKind(owner), d);
        AutoReason auto = d == FaultPolicy.Decision.HANDLER_FAILS ? AutoReason.HANDLER_FAILED : null;
        ShardedOwner.Handle handle = new ShardedOwner.Handle(g.iommu(), g.rid(), g.pasid(), g.prgi(), g.groupId(), owner, g.ioasid(),
            g.requestCount(), g.sequence(), code, auto, p.serviceNanos(ctx.seed(), g), p.queueCapacity(), self, 0);
        Held h = new Held(g, handle, shard, System.nanoTime());
        h.dueNanos = h.firstNanos + resendNanos;
        held.put(key(g.iommu(), g.groupId()), h);
        counters.sent.increment();
        send(handle);
        return this;
    }

    /**
     * To the inbox of the node the group's shard lives on, in the next batch to it; through the sharding region, one
     * message, when that home or its inbox is not known.
     */
    private void send(ShardedOwner.Handle h) {
        String home = shardHome[ClusterOwners.shardOf(h.handler(), shards)];
        ActorRef<OwnerInbox.Batch> inbox = home == null || unreachable.contains(home) ? null : inbox(home);
        if (inbox == null) {
            viaRegion(h);
            return;
        }
        ArrayList<ShardedOwner.Handle> batch = toSend.computeIfAbsent(home, n -> new ArrayList<>());
        batch.add(h);
        if (batch.size() >= MAX_BATCH) {
            sendBatch(inbox, batch);
        } else if (!flushScheduled) {
            // the faults of a drain are already queued here: they are handled before this marker and leave together
            flushScheduled = true;
            getContext().getSelf().tell(Flush.INSTANCE);
        }
    }

    /**
     * Through the sharding region, one message: how groups are sent again, so that a re-send does not take the path that
     * may have lost the first copy (an inbox on a node that has left), and sharding's own knowledge of the shard's home
     * decides where it goes.
     */
    private void viaRegion(ShardedOwner.Handle h) {
        region.tell(new ShardingEnvelope<>(Integer.toString(h.handler()), h));
    }

    private Behavior<Object> onFlush() {
        flushScheduled = false;
        for (Map.Entry<String, ArrayList<ShardedOwner.Handle>> e : toSend.entrySet()) {
            if (e.getValue().isEmpty()) continue;
            ActorRef<OwnerInbox.Batch> inbox = inboxes.get(e.getKey());
            if (inbox != null) {
                sendBatch(inbox, e.getValue());
            } else {
                // its inbox went away (node left): through the region, which knows where the shards went
                for (ShardedOwner.Handle h : e.getValue()) viaRegion(h);
                e.getValue().clear();
            }
        }
        return this;
    }

    private void sendBatch(ActorRef<OwnerInbox.Batch> inbox, ArrayList<ShardedOwner.Handle> batch) {
        counters.batches.increment();
        counters.batchedGroups.add(batch.size());
        inbox.tell(OwnerInbox.Batch.of(batch, selfBatch));
        batch.clear();
    }

    /** The inbox of owners node {@code node}: every owners node has one at {@link OwnerInbox#PATH}. */
    private ActorRef<OwnerInbox.Batch> inbox(String node) {
        ActorRef<OwnerInbox.Batch> inbox = inboxes.get(node);
        if (inbox == null) {
            inbox = ActorRefResolver.get(getContext().getSystem()).resolveActorRef(node + OwnerInbox.PATH);
            inboxes.put(node, inbox);
        }
        return inbox;
    }

    private Behavior<Object> onAnsweredBatch(AnsweredBatch b) {
        for (int i = 0, n = b.size(); i < n; i++) onAnswered(b.answered(i));
        return this;
    }

    private Behavior<Object> onAnswered(Answered a) {
        if (a.dropped()) return onDropped(a);
        int shard = ClusterOwners.shardOf(a.from(), shards);
        String before = shardHome[shard];
        shardHome[shard] = a.node();
        shardAnswered[shard] = System.nanoTime();
        if (before != null && !before.equals(a.node())) {
            // the shard moved (rebalance, handoff): what its old home held may be lost; send it to the new home now
            moved.set(shard);
            scheduleResendMoved();
        }
        counters.answeredByNode.computeIfAbsent(a.node(), n -> new LongAdder()).increment();
        Held h = held.remove(key(a.iommu(), a.groupId()));
        ActorRef<IommuUnit.Command> iommu = ctx.iommu(a.iommu());
        if (h == null) {
            // already answered (NODE_DOWN, TIMEOUT), or answered by the shard's other home: the IOMMU rejects it as a duplicate
            counters.lateAnswers.increment();
            iommu.tell(new IommuUnit.RawAnswer(a.rid(), a.pasid(), a.prgi(), a.groupId(), a.from(), a.auto() != null ? a.auto().code() : a.code()));
            return this;
        }
        counters.answered.increment();
        if (h.attempts > 0) counters.answeredAfterResend.increment();
        if (a.auto() != null) iommu.tell(new IommuUnit.AutoAnswer(h.group, a.from(), a.auto()));
        else iommu.tell(new IommuUnit.RawAnswer(a.rid(), a.pasid(), a.prgi(), a.groupId(), a.from(), a.code()));
        return this;
    }

    /** The owner's entity stopped (its shard handed off) holding this group unanswered: send it to the shard's next home. */
    private Behavior<Object> onDropped(Answered a) {
        long k = key(a.iommu(), a.groupId());
        Held h = held.remove(k);
        if (h == null) return this; // answered meanwhile (by another copy, or by its IOMMU)
        h.attempts++;
        h.lastNanos = System.nanoTime();
        h.timedResends = 0; // as after a move
        h.dueNanos = h.lastNanos + resendNanos;
        counters.resentOnDrop.increment();
        viaRegion(h.handle.again(h.attempts));
        held.put(k, h);
        return this;
    }

    private Behavior<Object> onWithdrawn(IoasidOwner.Withdrawn m) {
        PageRequestGroup g = m.group();
        if (held.remove(key(g.iommu(), g.groupId())) != null) counters.withdrawn.increment();
        return this;
    }

    private Behavior<Object> onDetached(IoasidOwner.Detached m) {
        // the IOMMU answered the groups of (rid, pasid) Invalid: none of them is to be sent again
        for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
            PageRequestGroup g = it.next().group;
            if (g.rid() == m.rid() && g.pasid() == m.pasid()) {
                it.remove();
                counters.withdrawn.increment();
            }
        }
        return this;
    }

    private Behavior<Object> onUnreachable(String node) {
        unreachable.add(node);
        ArrayList<ShardedOwner.Handle> unsent = toSend.get(node);
        if (unsent != null) unsent.clear(); // still held: answered NODE_DOWN below
        int n = 0;
        for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (node.equals(shardHome[h.shard])) {
                it.remove();
                nodeDown(h.group);
                n++;
            }
        }
        getContext().getLog().info("owner node {} unreachable: {} pending groups answered NODE_DOWN", node, n);
        return this;
    }

    private Behavior<Object> onRemoved(String node) {
        unreachable.remove(node);
        inboxes.remove(node);
        // its shards move to survivors: what is still held for them goes to their new homes, learnt from the next answers
        int shardsMoved = 0;
        for (int s = 0; s < shardHome.length; s++) {
            if (node.equals(shardHome[s])) {
                shardHome[s] = null;
                moved.set(s);
                shardsMoved++;
            }
        }
        getContext().getLog().info("owner node {} removed: its {} shards' held groups are sent to their new homes", node, shardsMoved);
        onResendMoved();
        return this;
    }

    private void scheduleResendMoved() {
        if (!resendMovedScheduled) {
            resendMovedScheduled = true;
            getContext().getSelf().tell(ResendMoved.INSTANCE);
        }
    }

    /** Sends again every group held for a shard whose home changed since the last pass (one pass for many answers). */
    private Behavior<Object> onResendMoved() {
        resendMovedScheduled = false;
        if (moved.isEmpty()) return this;
        long now = System.nanoTime();
        for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (moved.get(h.shard)) {
                it.remove();
                scratch.add(h);
            }
        }
        moved.clear();
        for (Held h : scratch) {
            h.attempts++;
            h.lastNanos = now;
            // the timed re-sends start over: this one may still reach a region that has not yet learnt the move (a
            // removed node's region is forgotten only when its death is noticed), and the next ones will not
            h.timedResends = 0;
            h.dueNanos = now + resendNanos;
            counters.resentOnMove.increment();
            viaRegion(h.handle.again(h.attempts));
            held.put(key(h.group.iommu(), h.group.groupId()), h);
        }
        scratch.clear();
        return this;
    }

    /**
     * Re-sends the groups whose answer is late (the head of {@code held}) if their shard has been silent as long, and
     * forgets the ones held far too long.
     */
    private Behavior<Object> onTick() {
        long now = System.nanoTime();
        for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (now - h.lastNanos < resendNanos) break;
            it.remove();
            if (now - h.firstNanos > forgetNanos) {
                counters.forgotten.increment();
                continue;
            }
            scratch.add(h);
        }
        for (Held h : scratch) {
            h.lastNanos = now;
            if (h.timedResends < maxResends && now - h.dueNanos >= 0 && now - shardAnswered[h.shard] >= resendNanos) {
                h.timedResends++;
                h.attempts++;
                counters.resent.increment();
                viaRegion(h.handle.again(h.attempts));
                // backing off: a copy can be dropped again while the shard is still moving (a region drops what it
                // buffered for a shard when its handoff begins), so the re-sends span several rebalance rounds
                h.dueNanos = now + (resendNanos << Math.min(h.timedResends, 6));
            }
            held.put(key(h.group.iommu(), h.group.groupId()), h);
        }
        scratch.clear();
        return this;
    }

    private void nodeDown(PageRequestGroup g) {
        counters.nodeDown.increment();
        ctx.iommu(g.iommu()).tell(new IommuUnit.AutoAnswer(g, g.handler(), AutoReason.NODE_DOWN));
    }
}
