package io.faultfabric.actors;

import io.faultfabric.engine.PageRequestGroup;
import org.apache.pekko.actor.typed.ActorRef;

/** Placeholder protocol, replaced by the owner behaviours. */
public final class IoasidOwner {
    public interface Command {}

    /** A group for this owner to handle; {@code relay} non-null when a device owner forwards it (DEVICE mode). */
    public static org.apache.pekko.actor.typed.Behavior<Command> supervised(int i, FabricContext ctx) { return org.apache.pekko.actor.typed.javadsl.Behaviors.ignore(); }
    public record Fault(PageRequestGroup group, ActorRef<Command> relay) implements Command {}
}
