package io.faultfabric.actors;

/** Placeholder protocol, replaced by the vIOMMU behaviour. */
public final class VIommu {
    public interface Command {}
    public static org.apache.pekko.actor.typed.Behavior<Command> create(int i, FabricContext ctx) { return org.apache.pekko.actor.typed.javadsl.Behaviors.ignore(); }
}
