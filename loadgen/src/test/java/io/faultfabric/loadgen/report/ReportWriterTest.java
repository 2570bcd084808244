package io.faultfabric.loadgen.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultfabric.loadgen.report.RunReport.AssertionResult;
import io.faultfabric.loadgen.report.RunReport.Environment;
import io.faultfabric.loadgen.report.RunReport.FaultWindow;
import io.faultfabric.loadgen.report.RunReport.TimelinePoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    private static final long START_MILLIS = 1_700_000_000_000L;
    private static final int INTERVALS = 3;
    private static final int SAMPLES_PER_INTERVAL = 400;
    private static final long SEED = -7;
    private static final Environment ENVIRONMENT = new Environment(16, "OpenJDK 64-Bit Server VM 17.0.15", 4L << 30, "Linux 6.1 amd64");

    @TempDir Path dir;
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void reportJsonHasEveryFieldInOrderWithTheReportedValues() throws IOException {
        RunReport report = report("pri-storm", 12.5, intervals(), Map.of("pasid-isolation", 0L), timeline());
        new ReportWriter().write(report, dir);

        JsonNode json = mapper.readTree(dir.resolve(ReportWriter.JSON_FILE).toFile());
        assertThat(fieldNames(json)).containsExactly("scenario", "seed", "engine", "durationSeconds", "pasids", "routingMode",
                "issuedGroups", "completedGroups", "lostGroups", "throughputPerSec", "latencyMicros", "outcomes", "violations",
                "counterexamples", "faultsInjected", "assertions", "heapPeakBytes", "environment", "timeline");
        assertThat(json.get("scenario").asText()).isEqualTo("pri-storm");
        assertThat(json.get("seed").asLong()).isEqualTo(SEED);
        assertThat(json.get("engine").asText()).isEqualTo("fabric");
        assertThat(json.get("durationSeconds").asDouble()).isEqualTo(12.5);
        assertThat(json.get("pasids").asInt()).isEqualTo(64);
        assertThat(json.get("routingMode").asText()).isEqualTo("round-robin");
        assertThat(json.get("issuedGroups").asLong()).isEqualTo(1_210);
        assertThat(json.get("completedGroups").asLong()).isEqualTo(1_200);
        assertThat(json.get("lostGroups").asLong()).isEqualTo(3);
        assertThat(json.get("throughputPerSec").asDouble()).isEqualTo(96.0);

        Histogram latency = report.latency();
        JsonNode micros = json.get("latencyMicros");
        assertThat(fieldNames(micros)).containsExactly("p50", "p90", "p99", "p999", "max", "mean", "count");
        assertThat(micros.get("p50").asLong()).isEqualTo(latency.getValueAtPercentile(50.0));
        assertThat(micros.get("p90").asLong()).isEqualTo(latency.getValueAtPercentile(90.0));
        assertThat(micros.get("p99").asLong()).isEqualTo(latency.getValueAtPercentile(99.0));
        assertThat(micros.get("p999").asLong()).isEqualTo(latency.getValueAtPercentile(99.9));
        assertThat(micros.get("max").asLong()).isEqualTo(latency.getMaxValue()).isEqualTo(INTERVALS * SAMPLES_PER_INTERVAL);
        assertThat(micros.get("mean").asDouble()).isEqualTo(latency.getMean());
        assertThat(micros.get("count").asLong()).isEqualTo(INTERVALS * SAMPLES_PER_INTERVAL);

        assertThat(fieldNames(json.get("outcomes"))).containsExactly("SUCCESS", "auto.TIMEOUT", "INVALID", "dropped.PRQ_OVERFLOW");
        assertThat(json.get("outcomes").get("auto.TIMEOUT").asLong()).isEqualTo(5);
        assertThat(json.get("violations").get("pasid-isolation").asLong()).isZero();
        assertThat(json.get("counterexamples").get("pasid-isolation").get(1).asText()).isEqualTo("pasid 9 read page of pasid 3");
        JsonNode fault = json.get("faultsInjected").get(0);
        assertThat(fieldNames(fault)).containsExactly("name", "startSeconds", "endSeconds", "detail");
        assertThat(fault.get("name").asText()).isEqualTo("prq-overflow");
        assertThat(fault.get("endSeconds").asDouble()).isEqualTo(6.0);
        JsonNode assertion = json.get("assertions").get(1);
        assertThat(fieldNames(assertion)).containsExactly("expression", "passed", "actual");
        assertThat(assertion.get("passed").asBoolean()).isFalse();
        assertThat(assertion.get("actual").asText()).isEqualTo("3");
        assertThat(json.get("heapPeakBytes").asLong()).isEqualTo(256L << 20);
        assertThat(fieldNames(json.get("environment"))).containsExactly("cpus", "jvm", "maxHeap", "os");
        assertThat(json.get("environment").get("maxHeap").asLong()).isEqualTo(ENVIRONMENT.maxHeapBytes());
        assertThat(json.get("timeline")).hasSize(timeline().size());
        assertThat(fieldNames(json.get("timeline").get(2))).containsExactly("tSeconds", "completedPerSec", "inFlight", "p99Micros");
        assertThat(json.get("timeline").get(2).get("completedPerSec").asDouble()).isEqualTo(timeline().get(2).completedPerSec());
        assertThat(Files.readString(dir.resolve(ReportWriter.JSON_FILE))).as("pretty-printed").contains("\n  \"seed\" : -7,");
    }

    @Test
    void latencyLogReadsBackEveryIntervalAndTheTotalCount() throws IOException {
        List<Histogram> intervals = intervals();
        new ReportWriter().write(report("pri-storm", 12.5, intervals, Map.of(), timeline()), dir);

        List<EncodableHistogram> readBack = new ArrayList<>();
        try (HistogramLogReader log = new HistogramLogReader(dir.resolve(ReportWriter.HLOG_FILE).toFile())) {
            for (EncodableHistogram interval = log.nextIntervalHistogram(); interval != null; interval = log.nextIntervalHistogram()) {
                readBack.add(interval);
            }
            assertThat(log.getStartTimeSec()).isEqualTo(START_MILLIS / 1000.0);
        }
        assertThat(readBack).hasSize(INTERVALS);
        assertThat(readBack.stream().mapToLong(h -> ((Histogram) h).getTotalCount()).sum())
                .isEqualTo(INTERVALS * SAMPLES_PER_INTERVAL);
        assertThat(readBack.get(1).getStartTimeStamp()).isEqualTo(intervals.get(1).getStartTimeStamp());
        assertThat(((Histogram) readBack.get(2)).getMaxValue()).isEqualTo(intervals.get(2).getMaxValue());
    }

    @Test
    void htmlHasBothChartsWithSeriesAndEscapesReportStrings() throws IOException {
        new ReportWriter().write(report("<script>x</script>", 12.5, intervals(), Map.of("a<b", 0L), timeline()), dir);

        String html = Files.readString(dir.resolve(ReportWriter.HTML_FILE));
        assertThat(html).contains("<svg id=\"throughput-chart\"", "<svg id=\"latency-chart\"")
                .contains("&lt;script&gt;x&lt;/script&gt;", "a&lt;b")
                .doesNotContain("<script", "class=\"no-data\"", "src=", "href=", "<link", "url(", "@import")
                .containsPattern("<polyline class=\"series\" points=\"[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+");
        assertThat(html).as("fault window shaded on the throughput chart").contains("class=\"band\"", ">prq-overflow</text>");
        assertThat(html).as("percentile axis ticks").contains(">0%<", ">90%<", ">99%<", ">99.9%<", ">99.99%<");
    }

    @Test
    void emptyTimelineAndEmptyHistogramRenderNoDataNotes() throws IOException {
        new ReportWriter().write(report("idle", 0, List.of(), Map.of(), List.of()), dir);

        String html = Files.readString(dir.resolve(ReportWriter.HTML_FILE));
        assertThat(html).doesNotContain("<svg id=\"throughput-chart\"", "<svg id=\"latency-chart\"")
                .contains("No data. No timeline points were recorded", "No data. No latency samples were recorded");
        assertThat(mapper.readTree(dir.resolve(ReportWriter.JSON_FILE).toFile()).get("latencyMicros").get("count").asLong()).isZero();
        assertThat(Files.readString(dir.resolve(ReportWriter.HLOG_FILE))).as("no start time invented for an unstamped run")
                .contains("\"StartTimestamp\"").doesNotContain("StartTime:");
        try (HistogramLogReader log = new HistogramLogReader(dir.resolve(ReportWriter.HLOG_FILE).toFile())) {
            assertThat(log.nextIntervalHistogram()).isNull();
        }
    }

    @Test
    void violationsTableIsGreenWhenAllZeroAndRedOtherwise() throws IOException {
        Map<String, Long> clean = new LinkedHashMap<>(Map.of("pasid-isolation", 0L, "no-lost-groups", 0L));
        new ReportWriter().write(report("clean", 1, intervals(), clean, timeline()), dir.resolve("clean"));
        Map<String, Long> broken = new LinkedHashMap<>(clean);
        broken.put("pasid-isolation", 2L);
        new ReportWriter().write(report("broken", 1, intervals(), broken, timeline()), dir.resolve("broken"));

        assertThat(Files.readString(dir.resolve("clean").resolve(ReportWriter.HTML_FILE)))
                .contains("<table class=\"violations ok\">", "All 2 invariants held").doesNotContain("<tr class=\"bad\">");
        assertThat(Files.readString(dir.resolve("broken").resolve(ReportWriter.HTML_FILE)))
                .contains("<table class=\"violations failed\">", "1 of 2 invariants violated", "<tr class=\"bad\">");
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        assertThatIllegalArgumentException().isThrownBy(() -> report(null, 1, intervals(), Map.of(), timeline()))
                .withMessageContaining("scenario");
        assertThatIllegalArgumentException().isThrownBy(() -> report("s", -0.5, intervals(), Map.of(), timeline()))
                .withMessageContaining("durationSeconds");
        assertThatIllegalArgumentException().isThrownBy(() -> report("s", Double.NaN, intervals(), Map.of(), timeline()))
                .withMessageContaining("durationSeconds");
        assertThatIllegalArgumentException().isThrownBy(() -> report("s", 1, intervals(), Map.of("pasid-isolation", -1L), timeline()))
                .withMessageContaining("violations[pasid-isolation]");
        assertThatIllegalArgumentException().isThrownBy(() -> report("s", 1, intervals(), Map.of(), Arrays.asList(timeline().get(0), null)))
                .withMessageContaining("timeline[1]");
        assertThatIllegalArgumentException().isThrownBy(() -> report("s", 1, List.of(new Histogram(3)), Map.of(), timeline()))
                .withMessageContaining("intervalHistograms[0]");
        assertThatIllegalArgumentException().isThrownBy(() -> new FaultWindow("f", 3, 2, "backwards"))
                .withMessageContaining("endSeconds");
        assertThat(report("s", 1, intervals(), Map.of(), timeline()).seed()).as("negative seeds are valid").isEqualTo(SEED);
    }

    @Test
    void isImmutableAgainstLaterChangesToItsInputs() {
        List<Histogram> intervals = intervals();
        Map<String, Long> violations = new LinkedHashMap<>(Map.of("pasid-isolation", 0L));
        RunReport report = report("s", 1, intervals, violations, timeline());

        intervals.get(0).recordValue(1);
        violations.put("pasid-isolation", 9L);
        report.latency().recordValue(1);

        assertThat(report.latencyMicros().count()).isEqualTo(INTERVALS * SAMPLES_PER_INTERVAL);
        assertThat(report.intervalHistograms().get(0).getTotalCount()).isEqualTo(SAMPLES_PER_INTERVAL);
        assertThat(report.violations()).containsEntry("pasid-isolation", 0L);
    }

    /** Interval i holds the values i*400+1 .. (i+1)*400 microseconds, one second each. */
    private static List<Histogram> intervals() {
        List<Histogram> intervals = new ArrayList<>();
        for (int i = 0; i < INTERVALS; i++) {
            Histogram interval = new Histogram(3);
            for (int v = 1; v <= SAMPLES_PER_INTERVAL; v++) interval.recordValue((long) i * SAMPLES_PER_INTERVAL + v);
            interval.setStartTimeStamp(START_MILLIS + i * 1000L);
            interval.setEndTimeStamp(START_MILLIS + (i + 1) * 1000L);
            intervals.add(interval);
        }
        return intervals;
    }

    private static List<TimelinePoint> timeline() {
        return List.of(new TimelinePoint(1, 80, 12, 390), new TimelinePoint(2, 120, 20, 790),
                new TimelinePoint(3, 100, 16, 1190), new TimelinePoint(4, 96, 15, 1190));
    }

    private static RunReport report(String scenario, double durationSeconds, List<Histogram> intervals,
            Map<String, Long> violations, List<TimelinePoint> timeline) {
        Histogram latency = new Histogram(3);
        intervals.forEach(latency::add);
        Map<String, Long> outcomes = new LinkedHashMap<>();
        outcomes.put("SUCCESS", 1_190L);
        outcomes.put("auto.TIMEOUT", 5L);
        outcomes.put("INVALID", 4L);
        outcomes.put("dropped.PRQ_OVERFLOW", 1L);
        return new RunReport(scenario, SEED, "fabric", durationSeconds, 64, "round-robin", 1_210, 1_200, 3, 96.0, latency, outcomes,
                violations, Map.of("pasid-isolation", List.of("pasid 3 faults 0x7f00", "pasid 9 read page of pasid 3")),
                List.of(new FaultWindow("prq-overflow", 2, 6, "PRQ depth 4")),
                List.of(new AssertionResult("p99 < 2000", true, "1190"), new AssertionResult("lostGroups == 0", false, "3")),
                256L << 20, ENVIRONMENT, timeline, intervals);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
