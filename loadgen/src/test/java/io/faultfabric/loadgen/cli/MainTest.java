package io.faultfabric.loadgen.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultfabric.loadgen.Main;
import io.faultfabric.loadgen.report.ReportWriter;
import io.faultfabric.loadgen.scenario.Scenario;
import io.faultfabric.loadgen.scenario.ScenarioLoader;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the command in-process, as a user would, and checks what it prints and the exit code. */
class MainTest {
    @TempDir
    Path tmp;

    record Result(int exitCode, String out, String err) {}

    static Result faultfabric(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void scenariosListsEveryShippedScenarioWithItsDescription() {
        Result r = faultfabric("scenarios");

        assertThat(r.exitCode()).isZero();
        for (ScenarioLoader.Shipped s : new ScenarioLoader().shipped()) {
            assertThat(r.out()).containsPattern("(?m)^" + s.name() + " +" + java.util.regex.Pattern.quote(s.description()) + "$");
        }
    }

    @Test
    void validatePrintsTheResolvedScenarioWhichLoadsBackTheSame() {
        Result r = faultfabric("validate", "owner-vs-device", "--set", "scenario.topology.mode=DEVICE");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("scenario {").contains("mode = DEVICE");
        ScenarioLoader loader = new ScenarioLoader();
        Scenario expected = loader.loadShipped("owner-vs-device", List.of("scenario.topology.mode=DEVICE"));
        assertThat(loader.parse(r.out(), "x", List.of())).isEqualTo(expected);
    }

    @Test
    void validateTakesAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("mine.conf"), "scenario.topology.pasids = 512");

        Result r = faultfabric("validate", file.toString());

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("name = \"mine\"", "pasids = 512");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "run", "validate", "scenarios"})
    void helpAndVersionAnswerOnEveryCommand(String command) {
        String[] help = command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"};
        String[] version = command.isEmpty() ? new String[] {"--version"} : new String[] {command, "--version"};

        Result h = faultfabric(help);
        Result v = faultfabric(version);

        assertThat(h.exitCode()).isZero();
        assertThat(h.out()).startsWith("Usage: faultfabric" + (command.isEmpty() ? "" : " " + command));
        assertThat(v.exitCode()).isZero();
        assertThat(v.out()).startsWith("faultfabric ").doesNotContain("version unknown");
    }

    @Test
    void theMainHelpListsTheCommandsAndExitCodes() {
        assertThat(faultfabric("--help").out()).contains("run", "validate", "scenarios", "Exit codes:", "1   an assertion of the scenario failed",
                "2   bad input");
    }

    @Test
    void runPrintsASummaryThatListsTheReportFilesPageFirst() {
        Path dir = tmp.resolve("report");

        Result r = faultfabric("run", "--engine", "direct", "--groups", "20000", "--quiet", "--report-dir", dir.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Running default on the direct engine", "lost 0", "invariants  all 9 held",
                "ok    lostGroups == 0  (actual 0)");
        assertThat(r.out()).containsPattern("accounting  issued 20,000 = answered by handlers 20,000 \\+ answered automatically 0"
                + " \\+ outstanding at the end 0\\R");
        assertThat(r.out().lines()).containsSequence(
                "report      " + dir.resolve(ReportWriter.HTML_FILE),
                "            " + dir.resolve(ReportWriter.JSON_FILE),
                "            " + dir.resolve(ReportWriter.HLOG_FILE),
                "            " + dir.resolve(RunCommand.LOG_FILE));
    }

    @Test
    void runOnTheDirectEngineWritesReportJsonLatencyHlogAndReportHtml() throws IOException {
        Path dir = tmp.resolve("report");

        Result r = faultfabric("run", "default", "--engine", "direct", "--groups", "20000", "--report-dir", dir.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(dir.resolve(ReportWriter.JSON_FILE).toFile());
        assertThat(report.get("scenario").asText()).isEqualTo("default");
        assertThat(report.get("engine").asText()).as("a direct run says so in its report").isEqualTo("direct");
        assertThat(report.get("routingMode").asText()).isEqualTo("OWNER");
        assertThat(report.get("issuedGroups").asLong()).isEqualTo(20_000);
        assertThat(report.get("completedGroups").asLong()).isEqualTo(20_000);
        assertThat(report.get("lostGroups").asLong()).isZero();
        assertThat(report.get("violations").size()).isEqualTo(9);
        report.get("violations").forEach(v -> assertThat(v.asLong()).isZero());
        assertThat(report.get("latencyMicros").get("count").asLong()).isEqualTo(20_000);
        assertThat(report.get("assertions")).isNotEmpty().allSatisfy(a -> assertThat(a.get("passed").asBoolean()).isTrue());
        long logged = 0;
        try (HistogramLogReader log = new HistogramLogReader(dir.resolve(ReportWriter.HLOG_FILE).toFile())) {
            for (EncodableHistogram interval = log.nextIntervalHistogram(); interval != null; interval = log.nextIntervalHistogram()) {
                logged += ((Histogram) interval).getTotalCount();
            }
        }
        assertThat(logged).as("groups timed in latency.hlog's intervals").isEqualTo(20_000);
        assertThat(Files.readString(dir.resolve(ReportWriter.HTML_FILE))).contains("<svg id=\"throughput-chart\"", "<svg id=\"latency-chart\"");
        assertThat(dir.resolve("summary.json")).as("the stop-gap summary is gone").doesNotExist();
    }

    @Test
    void progressLinesGoToTheCommandsOutputAsPlainLinesWhenThereIsNoConsole() {
        Result r = faultfabric("run", "default", "--engine", "direct", "--duration", "1500ms", "--report-dir", tmp.resolve("p").toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("\r")
                .containsPattern("(?m)^\\[ +1\\.[0-9]s\\] rate [0-9,]+/s  completed [0-9,]+  in flight [0-9,]+  p99 [0-9,]+µs  errors 0$");
    }

    @Test
    void quietRunPrintsNoProgressLinesAndTheSeedOptionWins() {
        Result r = faultfabric("run", "default", "--engine", "direct", "--duration", "1200ms", "--seed", "42", "--quiet",
                "--report-dir", tmp.resolve("q").toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("rate ").contains("(seed 42)");
    }

    @Test
    void aFailingAssertionExitsWithOneAndSaysWhichAndWhy() throws IOException {
        Result r = faultfabric("run", "--engine", "direct", "--groups", "5000", "--quiet", "--report-dir", tmp.resolve("f").toString(),
                "--set", "scenario.assertions=[\"throughputPerSec > 1e15\", \"lostGroups == 0\"]");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.ASSERTION_FAILED);
        assertThat(r.out()).contains("FAIL  throughputPerSec > 1e15  (actual ", "ok    lostGroups == 0");
        assertThat(r.err()).startsWith("faultfabric run: assertion failed: throughputPerSec > 1e15 (actual ")
                .doesNotContain("lostGroups");
        JsonNode report = new ObjectMapper().readTree(tmp.resolve("f").resolve(ReportWriter.JSON_FILE).toFile());
        assertThat(report.get("assertions")).extracting(a -> a.get("passed").asBoolean()).containsExactly(false, true);
    }

    @Test
    void badInputExitsWithTwoAndNamesTheFlagOrKeyTheValueAndWhatIsAllowed() {
        expectBadInput(faultfabric("run", "--bogus"), "faultfabric run: Unknown option: '--bogus'");
        expectBadInput(faultfabric("run", "--duration", "3x"),
                "faultfabric run: Invalid value for option '--duration': '3x' is not a duration; expected a positive duration with a unit, such as 30s, 500ms or 2m");
        expectBadInput(faultfabric("run", "--duration", "30"), "'30' is not a duration");
        expectBadInput(faultfabric("run", "--groups", "0"), "faultfabric run: Invalid value for option '--groups': '0' is not a whole number >= 1");
        expectBadInput(faultfabric("run", "--seed", "x"), "Invalid value for option '--seed'");
        expectBadInput(faultfabric("run", "--engine", "drect", "--report-dir", tmp.resolve("e").toString()),
                "faultfabric run: Invalid value for option '--engine': unknown engine drect; did you mean direct?");
        assertThat(tmp.resolve("e")).doesNotExist();
        expectBadInput(faultfabric("run", tmp.resolve("missing.conf").toString()), "faultfabric run: scenario file " + tmp.resolve("missing.conf") + ": not found");
        expectBadInput(faultfabric("validate", "defualt"), "did you mean default?");
        expectBadInput(faultfabric("validate"), "faultfabric validate: Missing required parameter: 'SCENARIO'");
        expectBadInput(faultfabric("validate", "default", "--set", "scenario.topology.kind=VTX", "--set", "scenario.topology.devicesPerIommuu=2"),
                "faultfabric validate: 2 problems:\n  scenario.topology.kind = \"VTX\": expected one of VTD, SMMUV3, RISCV\n"
                        + "  scenario.topology.devicesPerIommuu: unknown key; did you mean devicesPerIommu?");
        expectBadInput(faultfabric("validate", "default", "--set", "nonsense"), "--set nonsense: expected key=value");
        expectBadInput(faultfabric("frobnicate"), "Unmatched argument at index 0: 'frobnicate'");
        expectBadInput(faultfabric(), "faultfabric: missing command: expected one of run, node, validate, scenarios, study, bench");
    }

    @Test
    void anEngineThatCannotRunTheScenarioIsBadInputToo() {
        Result r = faultfabric("run", "--engine", "direct", "--groups", "10", "--report-dir", tmp.resolve("x").toString(),
                "--set", "scenario.faults=[{ kind = OwnerHang, at = 1s }]");

        expectBadInput(r, "faultfabric run: scenario.faults: the direct engine injects no faults");
        assertThat(tmp.resolve("x")).as("refused before anything was written").doesNotExist();
    }

    @Test
    void theDefaultReportDirectoryIsNamedAfterTheScenarioAndTheTimeAndNeverReused() throws IOException {
        LocalDateTime at = LocalDateTime.of(2026, 11, 25, 13, 30, 5);

        Path first = RunCommand.defaultReportDir(tmp, "default", at);
        Files.createDirectories(first);
        Path second = RunCommand.defaultReportDir(tmp, "default", at);

        assertThat(first).isEqualTo(tmp.resolve("default-20261125-133005"));
        assertThat(second).isEqualTo(tmp.resolve("default-20261125-133005-2"));
    }

    private static void expectBadInput(Result r, String message) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains(message);
        assertThat(r.err()).doesNotContain("Exception");
    }
}
