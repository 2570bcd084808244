package io.faultfabric.actors;

import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.workload.FaultSequence;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.util.function.IntFunction;

/**
 * The root of one fabric's actor tree, spawned from a topology: IOMMU units first (devices need
 * their refs), then owners (IOASID owners always; device owners in DEVICE mode), vIOMMUs, and
 * devices. Every ref is in the {@link FabricContext} before any traffic can flow.
 */
public final class FabricGuardian {
    public interface Command {}

    /** Replies once the whole tree is spawned. */
    public record AwaitStarted(ActorRef<Done> replyTo) implements Command {}

    /** Stops the tree (its children stop with it). */
    public enum Stop implements Command { INSTANCE }

    private FabricGuardian() {}

    public static Behavior<Command> create(FabricContext ctx, IntFunction<FaultSequence> faults) {
        return Behaviors.setup(context -> {
            spawnTree(context, ctx, faults);
            return Behaviors.receive(Command.class)
                .onMessage(AwaitStarted.class, m -> {
                    m.replyTo().tell(Done.getInstance());
                    return Behaviors.same();
                })
                .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                .build();
        });
    }

    private static void spawnTree(ActorContext<Command> context, FabricContext ctx, IntFunction<FaultSequence> faults) {
        Topology t = ctx.topology();
        DispatcherSelector dispatcher = DispatcherSelector.fromConfig(ctx.settings().dispatcher());
        for (int i = 0; i < t.iommuCount(); i++) {
            ctx.registerIommu(i, context.spawn(IommuUnit.create(i, ctx), "iommu-" + i, dispatcher));
        }
        for (int v = 0; v < t.viommuCount(); v++) {
            ctx.registerViommu(v, context.spawn(VIommu.create(v, ctx), "viommu-" + v, dispatcher));
        }
        int owners = t.mode() == RoutingMode.DEVICE ? t.ownerCount() : t.ioasidOwnerCount();
        for (int o = 0; o < owners; o++) {
            // anonymous: a name per owner would cost a string per actor at 2^20 owners
            ctx.registerOwner(o, context.spawnAnonymous(IoasidOwner.supervised(o, ctx), dispatcher));
        }
        for (int d = 0; d < t.deviceCount(); d++) {
            ctx.registerDevice(d, context.spawn(Device.create(d, ctx, faults.apply(d)), "device-" + d, dispatcher));
        }
        context.getLog().debug("fabric started: {} ({} owner actors)", t, owners);
    }
}
