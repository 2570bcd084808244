package io.faultfabric.actors;

import io.faultfabric.engine.PageRequestGroup;

/**
 * Told by a device of each group whose response it accepted, with the latency it recorded for it, on
 * that device's own actor thread: an observer that keeps its state per device needs no locks. For
 * studies that need a breakdown the fabric does not keep (per owner); it must be cheap and must not block.
 */
@FunctionalInterface
public interface GroupObserver {
    void onAnswered(int device, PageRequestGroup group, long latencyMicros);
}
