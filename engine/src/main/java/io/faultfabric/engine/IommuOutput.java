package io.faultfabric.engine;

/** What an {@link IommuCore} asks its host (an actor, or {@link io.faultfabric.engine.direct.DirectFabric}) to do. */
public interface IommuOutput {
    /** Hand a closed group to {@code group.handler()}. */
    void dispatch(PageRequestGroup group);

    /** Send the answered group ({@code code()}, maybe {@code autoReason()}) back to its device. */
    void respond(PageRequestGroup group);

    /** A request dropped without an answer of its own (already counted in the ledger). */
    default void dropped(PageRequest request, DropReason reason) {}

    /** A response that was not delivered (already counted in the ledger). */
    default void rejected(int rid, int pasid, int prgi, int from, RejectReason reason) {}

    /** The PASID finished draining after its detach and may be reused. */
    default void drained(int rid, int pasid) {}
}
