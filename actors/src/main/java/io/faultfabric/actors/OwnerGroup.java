package io.faultfabric.actors;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The parent of a block of up to {@link #SIZE} owners. A parent keeps its children in a red-black tree of
 * names: under one parent, spawning 2^20 owners spends most of its time in that tree, and stopping them
 * in the set of children still to die. Blocks keep each tree small and spawn in parallel. The group
 * spawns and registers its owners when it starts, reports {@link Spawned}, and then only parents them:
 * it has no protocol of its own, so it is the empty behaviour.
 */
final class OwnerGroup {
    /** Owners per group: small trees, and few groups even at 2^20 owners (1,024). */
    static final int SIZE = 1024;

    /** Owners {@code first .. first+count-1} are spawned and registered in the context. */
    record Spawned(int group, int first, int count) {}

    private OwnerGroup() {}

    static Behavior<Void> create(int group, int first, int count, FabricContext ctx, ActorRef<Spawned> reportTo) {
        return Behaviors.setup(context -> {
            Props props = DispatcherSelector.fromConfig(ctx.settings().dispatcher());
            // anonymous: owners are found through the context's directory, never by name, and a generated name is
            // shorter and cheaper to check than "owner-123456" (about a quarter faster at 2^20 owners)
            for (int o = first; o < first + count; o++) ctx.registerOwner(o, context.spawnAnonymous(IoasidOwner.supervised(o, ctx), props));
            reportTo.tell(new Spawned(group, first, count));
            return Behaviors.empty();
        });
    }
}
