package io.faultfabric.actors;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.ResponseCode;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.typed.Cluster;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * An IOASID owner as a Cluster Sharding entity (entity id = owner index), living on a node of role
 * {@code owners}. A group reaches it as {@link Handle}, a serializable copy of what the owner needs
 * (the mutable {@code PageRequestGroup} stays on the IOMMU's node), and it answers its
 * {@link OwnerGateway} with identifiers only ({@link OwnerGateway.Answered}), which the IOMMU validates
 * by (rid, pasid, prgi, groupId, from) like any other answer.
 *
 * <p>The owner's policy draw (decision and service time) is a pure function of (seed, group ids), made
 * where the group is and carried in {@link Handle}; this entity serves groups one at a time for their
 * service time in a queue of {@code queueCapacity} (full: OWNER_QUEUE_FULL) and answers as the kernel's
 * SVA handler does (a code, or HANDLER_FAILED). Kind-specific paths (iommufd fault fd, vIOMMU) are not
 * modelled across nodes.
 *
 * <p>De-duplication: the gateway sends a group again ({@code attempt > 0}) when its answer is late, which it may be
 * only because it is still queued here, or because the answer is on its way. A copy of a group this entity holds
 * (queued or in service) or has answered among its last {@value #REMEMBERED} answers is ignored, whichever copy comes
 * first (a re-send through the region can overtake the first copy's batch): it is served and answered once. A
 * re-sent group it does not know (its first copy was lost with the shard's old home) is served as new. Two incarnations of an owner (before and after a handoff) may both answer one group; the IOMMU delivers the
 * first and rejects the other as a duplicate.
 *
 * <p>Protocol: {@link Handle} (a group), {@link Warm} (start the entity, reply {@link Warmed}), and a private
 * {@code ServiceDone} when the group in service has had its service time. Stopped with groups unanswered (a handoff),
 * it tells their gateway each one as {@link OwnerGateway.Answered#dropped() dropped}, to be sent again.
 */
public final class ShardedOwner extends AbstractBehavior<ShardedOwner.Command> {

    public interface Command {}

    /**
     * One group for owner {@code handler}: exactly one of {@code code} (the owner's decision) and
     * {@code auto} (HANDLER_FAILED) is non-null.
     */
    public record Handle(int iommu, int rid, int pasid, int prgi, long groupId, int handler, int ioasid, int requests,
                         long sequence, ResponseCode code, AutoReason auto, long serviceNanos, int queueCapacity,
                         ActorRef<OwnerGateway.Answered> replyTo, int attempt) implements Command, CrossNode {

        /** This group again, as the gateway's {@code attempt}-th re-send. */
        public Handle again(int attempt) {
            return new Handle(iommu, rid, pasid, prgi, groupId, handler, ioasid, requests, sequence, code, auto, serviceNanos,
                queueCapacity, replyTo, attempt);
        }

        /** The group's key, unique among the fabric's groups: (group id, IOMMU). */
        public long key() {
            return OwnerGateway.key(iommu, groupId);
        }
    }

    /** Starts this owner's entity (allocating its shard) and replies; sent once per shard before traffic. */
    public record Warm(ActorRef<Warmed> replyTo) implements Command, CrossNode {}

    /** {@code node}: the address of the node the owner's entity (and so its shard) lives on. */
    public record Warmed(int owner, String node) implements CrossNode {}

    /** Answers this entity remembers, to ignore a re-send of a group it has answered. */
    static final int REMEMBERED = 8;

    private enum ServiceDone implements Command { INSTANCE }

    public static Behavior<Command> create(int owner) {
        return Behaviors.setup(context -> new ShardedOwner(context, owner));
    }

    private final int owner;
    private final String node;
    private ArrayDeque<Handle> queue;
    private boolean serving;
    // keys of the last REMEMBERED groups answered, made on the first answer (an idle owner keeps nothing)
    private long[] answered;
    private ActorRef<?>[] answeredTo; // the gateway of each remembered answer
    private int answeredNext;

    private ShardedOwner(ActorContext<Command> context, int owner) {
        super(context);
        this.owner = owner;
        this.node = Cluster.get(context.getSystem()).selfMember().address().toString();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessage(Handle.class, this::onHandle)
            .onMessage(Warm.class, m -> { m.replyTo().tell(new Warmed(owner, node)); return this; })
            .onMessageEquals(ServiceDone.INSTANCE, this::onServiceDone)
            .onSignal(PostStop.class, s -> onStopped())
            .build();
    }

    private Behavior<Command> onHandle(Handle h) {
        if (h.handler() != owner) {
            // the IOMMU rejects it as not from the handler; counted there
            getContext().getLog().warn("owner {} got a group for owner {}", owner, h.handler());
        }
        // a copy of a group this owner holds or answered: a re-send, or the first copy overtaken by a re-send (the
        // first goes in a batch through the inbox, re-sends through the region)
        if (known(h)) return this;
        if (h.serviceNanos() == 0 && !serving) {
            answer(h, null);
            return this;
        }
        if (queue == null) queue = new ArrayDeque<>();
        if (queue.size() >= h.queueCapacity()) {
            answer(h, AutoReason.OWNER_QUEUE_FULL);
            return this;
        }
        queue.addLast(h);
        if (!serving) serveNext();
        return this;
    }

    /**
     * Stopped (its shard handed off, or passivated) with groups unanswered: tells their gateways, which send them to the
     * shard's next home at once instead of waiting for a re-send timer. A crashed node tells nothing: NODE_DOWN covers it.
     */
    private Behavior<Command> onStopped() {
        if (queue != null) {
            for (Handle h : queue) {
                h.replyTo().tell(new OwnerGateway.Answered(h.iommu(), h.rid(), h.pasid(), h.prgi(), h.groupId(), owner, null, null, node));
            }
        }
        return this;
    }

    private void serveNext() {
        Handle h = queue.peekFirst();
        if (h == null) {
            serving = false;
            queue = null;
            return;
        }
        serving = true;
        getContext().scheduleOnce(Duration.ofNanos(h.serviceNanos()), getContext().getSelf(), ServiceDone.INSTANCE);
    }

    private Behavior<Command> onServiceDone() {
        Handle h = queue.pollFirst();
        if (h != null) answer(h, null);
        serveNext();
        return this;
    }

    /**
     * Whether {@code h}'s group is queued, in service or among the last answered here. A group is known by its key and the
     * gateway it came from: keys are unique within one fabric only, and owners nodes outlive a run, so the next run's
     * groups (from a new gateway, with keys counted from the start again) are not copies.
     */
    private boolean known(Handle h) {
        long key = h.key();
        if (queue != null) for (Handle q : queue) if (q.key() == key && q.replyTo().equals(h.replyTo())) return true;
        if (answered != null) {
            for (int i = 0; i < REMEMBERED; i++) if (answered[i] == key && h.replyTo().equals(answeredTo[i])) return true;
        }
        return false;
    }

    private void answer(Handle h, AutoReason overflow) {
        if (answered == null) {
            answered = new long[REMEMBERED];
            answeredTo = new ActorRef<?>[REMEMBERED];
            java.util.Arrays.fill(answered, -1L);
        }
        answered[answeredNext] = h.key();
        answeredTo[answeredNext] = h.replyTo();
        answeredNext = (answeredNext + 1) % REMEMBERED;
        AutoReason auto = overflow != null ? overflow : h.auto();
        h.replyTo().tell(new OwnerGateway.Answered(h.iommu(), h.rid(), h.pasid(), h.prgi(), h.groupId(), owner,
            auto == null ? h.code() : null, auto, node));
    }
}
