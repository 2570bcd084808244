package io.faultfabric.actors;

/** Placeholder protocol, replaced by the vIOMMU behaviour. */
public final class VIommu {
    public interface Command {}
}
