package io.faultfabric.actors;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.internal.adapter.PropsAdapter;
import org.apache.pekko.actor.typed.javadsl.Adapter;
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
            // every owner of the block from one classic Props and one shared behaviour, which reads the owner's index from
            // its short name: an actor keeps its Props, and a Props of its own per owner (what spawn makes) costs ~180
            // bytes in each of a million owners. The Props is made as spawn makes it (PropsAdapter, failures rethrown to
            // the parent); the public Adapter.props would wrap each owner in a stop supervisor, another ~110 bytes and an
            // interceptor on every message, for failures the owner already handles itself. Owners are found through the
            // context's directory, never by name.
            Behavior<IoasidOwner.Command> owner = IoasidOwner.byName(ctx);
            scala.Function0<Behavior<IoasidOwner.Command>> factory = () -> owner;
            org.apache.pekko.actor.Props props = PropsAdapter.apply(factory, DispatcherSelector.fromConfig(ctx.settings().dispatcher()), true);
            for (int o = first; o < first + count; o++) {
                ctx.registerOwner(o, Adapter.toTyped(Adapter.actorOf(context, props, IoasidOwner.actorName(o))));
            }
            reportTo.tell(new Spawned(group, first, count));
            return Behaviors.empty();
        });
    }
}
