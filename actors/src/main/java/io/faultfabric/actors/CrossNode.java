package io.faultfabric.actors;

/**
 * Marks a message that crosses nodes in cluster mode. The cluster config binds it to {@code jackson-cbor}
 * (and turns Java serialization off), so a cross-node message that is not marked fails loudly instead of
 * falling back to Java serialization.
 */
public interface CrossNode {}
