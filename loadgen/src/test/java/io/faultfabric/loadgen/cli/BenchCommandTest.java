package io.faultfabric.loadgen.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultfabric.loadgen.bench.BenchWorkload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.faultfabric.loadgen.cli.MainTest.faultfabric;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code faultfabric bench}: its quick run writes every figure, and bad input is refused before anything runs. No timing is asserted. */
class BenchCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theQuickBenchWritesEveryFigureWithSaneValuesAndNoViolations() throws Exception {
        Path file = tmp.resolve("out/bench.json");

        MainTest.Result r = faultfabric("bench", "--quick", "--json", file.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("faultfabric bench on ").contains("4k-single-uniform").contains("memory-16k").contains("bench done");
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        JsonNode env = json.get("environment");
        assertThat(env.get("cpus").asInt()).isPositive();
        assertThat(env.get("maxHeapBytes").asLong()).isPositive();
        assertThat(env.get("jvm").asText()).isNotBlank();
        assertThat(env.get("gc").asText()).isNotBlank();
        assertThat(env.get("loadAverageBefore").asText()).isNotBlank();
        assertThat(json.get("plan").get("quick").asBoolean()).isTrue();
        List<String> names = new ArrayList<>();
        json.get("results").forEach(n -> names.add(n.get("name").asText()));
        assertThat(names).containsExactlyElementsOf(BenchWorkload.quick().stream().map(BenchWorkload::name).toList());
        for (JsonNode result : json.get("results")) {
            assertThat(result.get("violations").asLong()).as(result.toString()).isZero();
            switch (result.get("kind").asText()) {
                case "throughput" -> {
                    for (String engine : List.of("direct", "fabric")) {
                        JsonNode e = result.get(engine);
                        assertThat(e.get("groupsPerSec").asDouble()).as(engine).isPositive();
                        // a group the hardware answered on queue overflow counts only its last request
                        assertThat(e.get("requestsPerSec").asDouble()).as(engine).isBetween(e.get("groupsPerSec").asDouble() * 0.999,
                            e.get("groupsPerSec").asDouble() * result.get("requestsPerGroup").asInt() * 1.001);
                        assertThat(e.get("autoAnswered").asLong()).as(engine).isBetween(0L, e.get("groups").asLong());
                        assertThat(e.get("violations").asLong()).isZero();
                        assertThat(e.get("lostGroups").asLong()).isZero();
                    }
                    assertThat(result.get("ratio").asDouble()).isPositive();
                    assertThat(result.get("slowdown").asDouble()).isCloseTo(1 / result.get("ratio").asDouble(), org.assertj.core.data.Percentage.withPercentage(0.1));
                }
                case "latency" -> {
                    assertThat(result.get("maxGroupsPerSec").asDouble()).isPositive();
                    assertThat(result.get("offeredPerSec").asDouble()).isCloseTo(result.get("maxGroupsPerSec").asDouble() / 2,
                        org.assertj.core.data.Percentage.withPercentage(0.1));
                    JsonNode latency = result.get("engineLatencyMicros");
                    assertThat(latency.get("count").asLong()).isPositive();
                    assertThat(latency.get("p50").asLong()).isLessThanOrEqualTo(latency.get("p99").asLong());
                    assertThat(latency.get("p99").asLong()).isLessThanOrEqualTo(latency.get("p999").asLong());
                    assertThat(result.get("intendedLatencyMicros").get("count").asLong()).isPositive();
                    JsonNode open = result.get("open");
                    assertThat(open.get("groups").asLong()).as("the open interval's groups, the ones whose latency was measured")
                        .isEqualTo(latency.get("count").asLong());
                    assertThat(open.get("groupsPerSec").asDouble()).isCloseTo(result.get("achievedPerSec").asDouble(),
                        org.assertj.core.data.Percentage.withPercentage(0.1));
                    assertThat(open.get("autoAnswered").asLong()).isBetween(0L, open.get("groups").asLong());
                }
                case "memory" -> {
                    assertThat(result.get("bytesPerPasid").asDouble()).isPositive();
                    assertThat(result.get("startSeconds").asDouble()).isPositive();
                }
                default -> throw new AssertionError("unknown kind in " + result);
            }
        }
    }

    @Test
    void listNamesEveryWorkload() {
        MainTest.Result r = faultfabric("bench", "--list");

        assertThat(r.exitCode()).isZero();
        for (BenchWorkload w : BenchWorkload.full()) assertThat(r.out()).contains(w.name());
        for (BenchWorkload w : BenchWorkload.quick()) assertThat(r.out()).contains(w.name());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "--only, no-such-workload, '--only': 'no-such-workload' is not a workload; expected one of 4k-single-uniform",
        "--measure, 0s, '--measure': '0s' is not a duration",
        "--warmup, soon, '--warmup': 'soon' is not a duration",
        "--seed, x, '--seed': 'x' is not a long",
    })
    void aBadValueIsRefusedNamingTheFlagTheValueAndWhatIsAllowed(String flag, String value, String message) {
        MainTest.Result r = faultfabric("bench", flag, value);

        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains(message);
        assertThat(r.out()).doesNotContain("bench done");
    }

    @Test
    void aJsonPathThatIsADirectoryIsRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("a-dir"));

        MainTest.Result r = faultfabric("bench", "--quick", "--json", dir.toString());

        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("'--json': " + dir + " is a directory");
    }

    @Test
    void anUnknownOptionIsRefused() {
        MainTest.Result r = faultfabric("bench", "--fast");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("Unknown option: '--fast'");
    }

    @Test
    void aHeapTooSmallForTheMillionPasidWorkloadsIsSaidBeforeAnythingRuns() {
        assertThat(BenchCommand.heapProblem(BenchWorkload.full(), 1L << 30)).hasValueSatisfying(m -> assertThat(m)
            .contains("1m-single-uniform").contains("1,048,576 PASIDs").contains("this JVM has 1,024 MiB").contains("FAULTFABRIC_JAVA_OPTS=-Xmx8g"));
        assertThat(BenchCommand.heapProblem(BenchWorkload.full(), 8L << 30)).isEmpty();
        assertThat(BenchCommand.heapProblem(BenchWorkload.quick(), 2L << 30)).isEmpty();
    }
}
