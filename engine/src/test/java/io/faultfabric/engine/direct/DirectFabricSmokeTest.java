package io.faultfabric.engine.direct;

import io.faultfabric.engine.topology.UniformTopology;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DirectFabricSmokeTest {
    @Test
    void smallTopologyAnswersEveryGroupOnce() {
        DirectFabric f = DirectFabric.builder(UniformTopology.small().build()).seed(7).build();
        DirectFabric.RunResult r = f.run(100_000);
        assertThat(r.violations().none()).as(r.violations().toString()).isTrue();
        assertThat(r.ledger().groupsCompleted()).isEqualTo(100_000);
        assertThat(r.ledger().requestsIssued).isEqualTo(100_000);
    }
}
