package io.faultfabric.loadgen.scenario;

import io.faultfabric.engine.workload.FaultSequence;

/** How many page requests a device puts in one group, drawn uniformly from {@code min..max}. */
public record RequestsPerGroup(int min, int max) {
    /** The engine's bound on a group's requests. */
    public static final int MAX = FaultSequence.MAX_REQUESTS;

    public RequestsPerGroup {
        FaultSequence.checkRequestsPerGroup(min, max);
    }
}
