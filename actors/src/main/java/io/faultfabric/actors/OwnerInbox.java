package io.faultfabric.actors;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.ResponseCode;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Batching across nodes (docs/cluster.md): one per owners node, at {@link #PATH} (a system actor, so a gateway that knows a
 * shard's home node knows where its inbox is). The
 * owner gateway sends it one {@link Batch} of groups for the shards it believes live on this node; the inbox hands each
 * group to its owner through this node's own sharding region (in-process when the shard is here, forwarded by the region
 * to the shard's home when it has moved), and the owners' answers go back through a per-gateway {@link Answers} batcher,
 * one {@link OwnerGateway.AnsweredBatch} per pass. Placement stays Cluster Sharding's; only the carriage is batched.
 *
 * <p>Protocol: {@link Batch}.
 */
public final class OwnerInbox extends AbstractBehavior<OwnerInbox.Batch> {

    /** The inbox's name under {@code /system}, and its path relative to its node's address. */
    public static final String NAME = "faultfabric-owner-inbox";
    public static final String PATH = "/system/" + NAME;

    /**
     * Groups for owners on one node, column by column (compact in CBOR: one array per field, no field names per group).
     * {@code outcome[i]}: a {@link ResponseCode} ordinal, or {@code -1 - }{@link AutoReason} ordinal (HANDLER_FAILED).
     */
    public record Batch(ActorRef<OwnerGateway.AnsweredBatch> replyTo, int[] iommu, int[] rid, int[] pasid, int[] prgi,
                        long[] groupId, int[] handler, int[] ioasid, int[] requests, long[] sequence, int[] outcome,
                        long[] serviceNanos, int[] queueCapacity, int[] attempt) implements CrossNode {

        public int size() { return iommu.length; }

        public static Batch of(List<ShardedOwner.Handle> hs, ActorRef<OwnerGateway.AnsweredBatch> replyTo) {
            int n = hs.size();
            Batch b = new Batch(replyTo, new int[n], new int[n], new int[n], new int[n], new long[n], new int[n], new int[n],
                new int[n], new long[n], new int[n], new long[n], new int[n], new int[n]);
            for (int i = 0; i < n; i++) {
                ShardedOwner.Handle h = hs.get(i);
                b.iommu[i] = h.iommu();
                b.rid[i] = h.rid();
                b.pasid[i] = h.pasid();
                b.prgi[i] = h.prgi();
                b.groupId[i] = h.groupId();
                b.handler[i] = h.handler();
                b.ioasid[i] = h.ioasid();
                b.requests[i] = h.requests();
                b.sequence[i] = h.sequence();
                b.outcome[i] = h.auto() != null ? -1 - h.auto().ordinal() : h.code().ordinal();
                b.serviceNanos[i] = h.serviceNanos();
                b.queueCapacity[i] = h.queueCapacity();
                b.attempt[i] = h.attempt();
            }
            return b;
        }

        /** Group {@code i} as the owner takes it, answering to {@code answers}. */
        public ShardedOwner.Handle handle(int i, ActorRef<OwnerGateway.Answered> answers) {
            int o = outcome[i];
            return new ShardedOwner.Handle(iommu[i], rid[i], pasid[i], prgi[i], groupId[i], handler[i], ioasid[i], requests[i],
                sequence[i], o >= 0 ? ResponseCode.values()[o] : null, o < 0 ? AutoReason.values()[-1 - o] : null, serviceNanos[i],
                queueCapacity[i], answers, attempt[i]);
        }
    }

    public static Behavior<Batch> create(ActorRef<ShardingEnvelope<ShardedOwner.Command>> region) {
        return Behaviors.setup(context -> new OwnerInbox(context, region));
    }

    private final ActorRef<ShardingEnvelope<ShardedOwner.Command>> region;
    private final Map<ActorRef<OwnerGateway.AnsweredBatch>, ActorRef<OwnerGateway.Answered>> answers = new HashMap<>();

    private OwnerInbox(ActorContext<Batch> context, ActorRef<ShardingEnvelope<ShardedOwner.Command>> region) {
        super(context);
        this.region = region;
    }

    @Override
    public Receive<Batch> createReceive() {
        return newReceiveBuilder().onMessage(Batch.class, this::onBatch).build();
    }

    private Behavior<Batch> onBatch(Batch b) {
        ActorRef<OwnerGateway.Answered> to = answers.computeIfAbsent(b.replyTo(),
            g -> getContext().spawnAnonymous(Answers.create(g)).narrow());
        for (int i = 0, n = b.size(); i < n; i++) {
            region.tell(new ShardingEnvelope<>(Integer.toString(b.handler()[i]), b.handle(i, to)));
        }
        return this;
    }

    /** Collects owners' answers for one gateway and sends them on as one {@link OwnerGateway.AnsweredBatch} a pass. */
    static final class Answers extends AbstractBehavior<Object> {
        private enum Flush { INSTANCE }

        static Behavior<Object> create(ActorRef<OwnerGateway.AnsweredBatch> gateway) {
            return Behaviors.setup(c -> new Answers(c, gateway));
        }

        private final ActorRef<OwnerGateway.AnsweredBatch> gateway;
        private List<OwnerGateway.Answered> pending = new ArrayList<>();
        private boolean flushScheduled;

        private Answers(ActorContext<Object> context, ActorRef<OwnerGateway.AnsweredBatch> gateway) {
            super(context);
            this.gateway = gateway;
        }

        @Override
        public Receive<Object> createReceive() {
            return newReceiveBuilder()
                .onMessage(OwnerGateway.Answered.class, a -> {
                    pending.add(a);
                    if (pending.size() >= OwnerGateway.MAX_BATCH) {
                        gateway.tell(OwnerGateway.AnsweredBatch.of(pending));
                        pending = new ArrayList<>();
                    } else if (!flushScheduled) {
                        // every answer already queued here is handled before the marker: they leave as one message
                        flushScheduled = true;
                        getContext().getSelf().tell(Flush.INSTANCE);
                    }
                    return this;
                })
                .onMessageEquals(Flush.INSTANCE, () -> {
                    flushScheduled = false;
                    if (!pending.isEmpty()) {
                        gateway.tell(OwnerGateway.AnsweredBatch.of(pending));
                        pending = new ArrayList<>();
                    }
                    return this;
                })
                .build();
        }
    }
}
