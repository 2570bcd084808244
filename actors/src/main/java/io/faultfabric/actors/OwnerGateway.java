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
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The devices node's door to owners on other nodes. In cluster mode the {@link FabricContext} directory maps every
 * owner index to this one actor, so IOMMU units dispatch {@link IoasidOwner.Fault} exactly as they do locally.
 * It turns each group into a serializable {@link ShardedOwner.Handle} for the owner's shard, remembers the group
 * until an answer comes back, and hands the {@link Answered} identifiers to the group's IOMMU unit, which
 * validates them (a second answer to the same group is rejected there and counted).
 *
 * <p>Exactly one response across node loss: it learns each shard's home node from the answers. When a node becomes
 * unreachable or is removed, it answers NODE_DOWN for every group it is holding for that node's shards, and while
 * the node is unreachable it answers new groups for those shards NODE_DOWN at once. A group lost without a known home
 * (dropped from a handoff buffer, sent before any answer named the shard's home) is answered TIMEOUT by its IOMMU's
 * own response timer. Groups it holds longer than twice the response timeout are forgotten (their IOMMU has
 * answered them TIMEOUT).
 *
 * <p>Protocol: {@link IoasidOwner.Fault}, {@link Answered}, the cluster's reachability and removal events, and a
 * private sweep timer. Every other message sent to an owner index ({@code Hang}, {@code Crash}, {@code SetPolicy},
 * {@code GetSnapshot}, {@code Detached}, {@code Withdrawn}) is ignored: those have no counterpart across nodes.
 */
public final class OwnerGateway extends AbstractBehavior<Object> {

    /** An owner's answer, by identifiers: exactly one of {@code code} and {@code auto} is non-null. */
    public record Answered(int iommu, int rid, int pasid, int prgi, long groupId, int from, ResponseCode code, AutoReason auto,
                           String node) implements CrossNode {}

    /** Counts of this gateway, for tests and reports. */
    public static final class Counters {
        public final LongAdder sent = new LongAdder();
        public final LongAdder answered = new LongAdder();
        public final LongAdder lateAnswers = new LongAdder();
        public final LongAdder nodeDown = new LongAdder();
        public final LongAdder forgotten = new LongAdder();
        /** Answers received, by the address of the owner's node. */
        public final java.util.concurrent.ConcurrentHashMap<String, LongAdder> answeredByNode = new java.util.concurrent.ConcurrentHashMap<>();

        public long answeredBy(String node) {
            LongAdder a = answeredByNode.get(node);
            return a == null ? 0 : a.sum();
        }
    }

    private enum Sweep { INSTANCE }

    private record Held(PageRequestGroup group, long sentNanos) {}

    public static Behavior<Object> create(FabricContext ctx, ActorRef<ShardingEnvelope<ShardedOwner.Command>> region, int shards,
                                          Counters counters) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new OwnerGateway(context, timers, ctx, region, shards, counters)));
    }

    private final FabricContext ctx;
    private final ActorRef<ShardingEnvelope<ShardedOwner.Command>> region;
    private final int shards;
    private final Counters counters;
    private final ActorRef<Answered> self;
    private final String[] shardHome;
    private final Set<String> unreachable = new HashSet<>();
    private final LinkedHashMap<Long, Held> held = new LinkedHashMap<>();
    private final long forgetNanos;

    private OwnerGateway(ActorContext<Object> context, TimerScheduler<Object> timers, FabricContext ctx,
                         ActorRef<ShardingEnvelope<ShardedOwner.Command>> region, int shards, Counters counters) {
        super(context);
        this.ctx = ctx;
        this.region = region;
        this.shards = shards;
        this.counters = counters;
        this.self = context.getSelf().narrow();
        this.shardHome = new String[shards];
        this.forgetNanos = ctx.settings().responseTimeout().multipliedBy(2).toNanos();
        Cluster cluster = Cluster.get(context.getSystem());
        cluster.subscriptions().tell(Subscribe.create(context.getSelf().narrow(), ClusterEvent.ReachabilityEvent.class));
        cluster.subscriptions().tell(Subscribe.create(context.getSelf().narrow(), ClusterEvent.MemberRemoved.class));
        timers.startTimerAtFixedRate(Sweep.INSTANCE, ctx.settings().responseTimeout());
    }

    private static long key(int iommu, long groupId) {
        return (groupId << 10) | iommu;
    }

    @Override
    public Receive<Object> createReceive() {
        return newReceiveBuilder()
            .onMessage(IoasidOwner.Fault.class, this::onFault)
            .onMessage(Answered.class, this::onAnswered)
            .onMessage(ClusterEvent.UnreachableMember.class, m -> onNodeLost(m.member().address().toString(), true))
            .onMessage(ClusterEvent.ReachableMember.class, m -> { unreachable.remove(m.member().address().toString()); return this; })
            .onMessage(ClusterEvent.MemberRemoved.class, m -> onNodeLost(m.member().address().toString(), false))
            .onMessageEquals(Sweep.INSTANCE, this::onSweep)
            .onAnyMessage(m -> this)
            .build();
    }

    private Behavior<Object> onFault(IoasidOwner.Fault f) {
        PageRequestGroup g = f.group();
        int owner = g.handler();
        String home = shardHome[ClusterOwners.shardOf(owner, shards)];
        if (home != null && unreachable.contains(home)) {
            nodeDown(g);
            return this;
        }
        FaultPolicy p = ctx.policy(owner);
        FaultPolicy.Decision d = p.decide(ctx.seed(), g);
        ResponseCode code = d == FaultPolicy.Decision.HANDLER_FAILS ? null : FaultPolicy.codeFor(ctx.topology().ownerKind(owner), d);
        AutoReason auto = d == FaultPolicy.Decision.HANDLER_FAILS ? AutoReason.HANDLER_FAILED : null;
        held.put(key(g.iommu(), g.groupId()), new Held(g, System.nanoTime()));
        counters.sent.increment();
        region.tell(new ShardingEnvelope<>(Integer.toString(owner), new ShardedOwner.Handle(g.iommu(), g.rid(), g.pasid(), g.prgi(),
            g.groupId(), owner, g.ioasid(), g.requestCount(), g.sequence(), code, auto, p.serviceNanos(ctx.seed(), g),
            p.queueCapacity(), self)));
        return this;
    }

    private Behavior<Object> onAnswered(Answered a) {
        shardHome[ClusterOwners.shardOf(a.from(), shards)] = a.node();
        counters.answeredByNode.computeIfAbsent(a.node(), n -> new LongAdder()).increment();
        Held h = held.remove(key(a.iommu(), a.groupId()));
        ActorRef<IommuUnit.Command> iommu = ctx.iommu(a.iommu());
        if (h == null) {
            // already answered here (NODE_DOWN) or forgotten after its timeout: the IOMMU rejects it as a duplicate
            counters.lateAnswers.increment();
            iommu.tell(new IommuUnit.RawAnswer(a.rid(), a.pasid(), a.prgi(), a.groupId(), a.from(), a.auto() != null ? a.auto().code() : a.code()));
            return this;
        }
        counters.answered.increment();
        if (a.auto() != null) iommu.tell(new IommuUnit.AutoAnswer(h.group(), a.from(), a.auto()));
        else iommu.tell(new IommuUnit.RawAnswer(a.rid(), a.pasid(), a.prgi(), a.groupId(), a.from(), a.code()));
        return this;
    }

    private Behavior<Object> onNodeLost(String node, boolean stillMember) {
        if (stillMember) unreachable.add(node);
        else unreachable.remove(node);
        int n = 0;
        for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
            PageRequestGroup g = it.next().group();
            if (node.equals(shardHome[ClusterOwners.shardOf(g.handler(), shards)])) {
                it.remove();
                nodeDown(g);
                n++;
            }
        }
        // removed: its shards move to survivors; learn their new homes from the next answers
        if (!stillMember) for (int s = 0; s < shardHome.length; s++) if (node.equals(shardHome[s])) shardHome[s] = null;
        getContext().getLog().info("owner node {} {}: {} pending groups answered NODE_DOWN", node, stillMember ? "unreachable" : "removed", n);
        return this;
    }

    private void nodeDown(PageRequestGroup g) {
        counters.nodeDown.increment();
        ctx.iommu(g.iommu()).tell(new IommuUnit.AutoAnswer(g, g.handler(), AutoReason.NODE_DOWN));
    }

    private Behavior<Object> onSweep() {
        long oldest = System.nanoTime() - forgetNanos;
        for (Iterator<Map.Entry<Long, Held>> it = held.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue().sentNanos() > oldest) break;
            it.remove();
            counters.forgotten.increment();
        }
        return this;
    }
}
