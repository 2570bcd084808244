package io.faultfabric.engine.check;

/** The invariants of DOMAIN.md that every run checks. */
public enum Invariant {
    ONE_RESPONSE_PER_GROUP("exactly one response per group closed with L=1: none lost, none duplicated"),
    RESPONSE_MATCHES_GROUP("a response is delivered only if it matches an outstanding group and comes from its handler"),
    CREDITS_WITHIN_ALLOCATION("a device's requests in flight never exceed its outstanding allocation"),
    DISPATCH_AFTER_LAST("a group is handed to a handler only after its L=1 request"),
    ROUTED_TO_ATTACHED_OWNER("a group reaches only the owner attached to its (RID, PASID)"),
    NO_REUSE_BEFORE_DRAIN("a PASID is not reused before its queue is drained and its groups flushed"),
    PRI_DISABLED_AFTER_FAILURE("after Response Failure the device's PRI stays disabled until reset"),
    STOP_MARKERS_UNANSWERED("stop markers are never answered; stalls get exactly one resume"),
    OUTCOMES_ADD_UP("every request and group is counted with its outcome, and the counts add up");

    private final String rule;

    Invariant(String rule) { this.rule = rule; }

    public String rule() { return rule; }
}
