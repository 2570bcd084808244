package io.faultfabric.loadgen.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultfabric.engine.check.Invariant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.faultfabric.loadgen.cli.MainTest.faultfabric;
import static org.assertj.core.api.Assertions.assertThat;

/** The README's run command on the actor fabric: a short default run, reports written, nothing lost. */
class FabricRunTest {

    @Test
    void theDefaultScenarioRunsOnTheActorFabricAndLosesNothing(@TempDir Path dir) throws Exception {
        MainTest.Result r = faultfabric("run", "--engine", "fabric", "--groups", "20000", "--warmup", "0s", "--quiet",
            "--report-dir", dir.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("on fabric").contains("lost 0");
        JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(report.get("scenario").asText()).isEqualTo("default");
        assertThat(report.get("engine").asText()).as("a fabric run says so in its report").isEqualTo("fabric");
        assertThat(report.get("issuedGroups").asLong()).isEqualTo(20_000);
        assertThat(report.get("completedGroups").asLong()).isEqualTo(20_000);
        assertThat(report.get("lostGroups").asLong()).isZero();
        assertThat(report.get("latencyMicros").get("count").asLong()).isEqualTo(20_000);
        for (Invariant i : Invariant.values()) assertThat(report.get("violations").get(i.name()).asLong()).as(i.name()).isZero();
        assertThat(dir.resolve("report.html")).exists();
        assertThat(dir.resolve("latency.hlog")).exists();
    }

    @Test
    void aNegativeWarmupIsBadInput(@TempDir Path dir) {
        MainTest.Result r = faultfabric("run", "--warmup", "-1s", "--report-dir", dir.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--warmup").contains("'-1s' is not a duration");
    }
}
