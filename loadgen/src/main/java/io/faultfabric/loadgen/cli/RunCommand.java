package io.faultfabric.loadgen.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultfabric.loadgen.report.RunReport;
import io.faultfabric.loadgen.report.RunReport.AssertionResult;
import io.faultfabric.loadgen.run.Engines;
import io.faultfabric.loadgen.run.ProgressListener;
import io.faultfabric.loadgen.run.RunOptions;
import io.faultfabric.loadgen.run.RunOutcome;
import io.faultfabric.loadgen.run.ScenarioRunner;
import io.faultfabric.loadgen.scenario.Scenario;
import io.faultfabric.loadgen.scenario.ScenarioLoader;
import io.faultfabric.loadgen.scenario.StopCondition;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** Runs a scenario, writes its report directory, and turns its assertions into the exit code. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run a scenario and write its report to a directory.",
                "Exit code 1 when an assertion of the scenario fails, 2 on bad input."})
public final class RunCommand implements Callable<Integer> {
    public static final String SUMMARY_FILE = "summary.json";
    public static final String LOG_FILE = "run.log";
    private static final DateTimeFormatter DIR_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", defaultValue = "default",
            description = "A scenario file (.conf) or the name of a shipped scenario (see 'faultfabric scenarios'). Default: ${DEFAULT-VALUE}.")
    private String scenario;

    @Mixin
    private ScenarioOverrides overrides;

    @Option(names = "--duration", paramLabel = "DURATION", converter = Converters.PositiveDuration.class,
            description = "Stop after this long, e.g. 30s or 2m. With --groups, whichever comes first; either replaces the scenario's stop.")
    private Duration duration;

    @Option(names = "--groups", paramLabel = "N", converter = Converters.PositiveLong.class,
            description = "Stop after N page request groups issued.")
    private Long groups;

    @Option(names = "--seed", paramLabel = "N", description = "Use this seed instead of the scenario's.")
    private Long seed;

    @Option(names = "--engine", paramLabel = "NAME",
            description = "The engine to run on: fabric (the actor fabric, when present) or direct (single-threaded DirectFabric, "
                    + "the baseline). Default: the first of fabric, direct that is present.")
    private String engine;

    @Option(names = "--report-dir", paramLabel = "DIR",
            description = "Where to write the report. Default: reports/<scenario>-<yyyyMMdd-HHmmss> under the current directory.")
    private Path reportDir;

    @Option(names = "--quiet", description = "No progress lines, only the summary.")
    private boolean quiet;

    @Override
    public Integer call() throws IOException {
        Scenario s = new ScenarioLoader().load(scenario, overrides.sets);
        if (seed != null) s = s.withSeed(seed);
        if (duration != null || groups != null) {
            s = s.withStop(new StopCondition(Optional.ofNullable(duration), groups == null ? OptionalLong.empty() : OptionalLong.of(groups)));
        }
        ScenarioRunner runner = runner();
        Path dir = createReportDir(s.name());
        RunLog.to(dir.resolve(LOG_FILE));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "Running %s on the %s engine: %,d PASIDs, routing %s, load %s, stop %s%n", s.name(), runner.name(),
                s.topology().pasids(), s.topology().mode(), s.load(), s.stop());
        out.flush();
        ProgressListener progress = quiet ? ProgressListener.NONE : new ProgressLines(out);
        RunOutcome outcome = runner.run(s, RunOptions.in(dir), progress).withAssertionsOf(s);
        writeReports(outcome, dir);
        printSummary(outcome, dir, out);
        List<AssertionResult> failed = outcome.failedAssertions();
        PrintWriter err = spec.commandLine().getErr();
        for (AssertionResult a : failed) err.println(spec.qualifiedName() + ": assertion failed: " + a.expression() + " (actual " + a.actual() + ")");
        err.flush();
        return failed.isEmpty() ? ExitCodes.OK : ExitCodes.ASSERTION_FAILED;
    }

    private ScenarioRunner runner() {
        Engines engines = Engines.load();
        if (engine == null) return engines.defaultRunner();
        try {
            return engines.get(engine);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--engine': " + e.getMessage());
        }
    }

    private Path createReportDir(String scenarioName) {
        Path dir = reportDir != null ? reportDir : defaultReportDir(Path.of("reports"), scenarioName, LocalDateTime.now());
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--report-dir': cannot create " + dir + " (" + e + ")");
        }
    }

    /** {@code <parent>/<scenario>-<yyyyMMdd-HHmmss>}, with {@code -2}, {@code -3}... when runs start in the same second. */
    static Path defaultReportDir(Path parent, String scenarioName, LocalDateTime now) {
        String base = scenarioName + "-" + DIR_STAMP.format(now);
        Path dir = parent.resolve(base);
        for (int n = 2; Files.exists(dir); n++) dir = parent.resolve(base + "-" + n);
        return dir;
    }

    /** Writes the run's report files into {@code dir}: for now summary.json, until the report package's writer takes over. */
    static void writeReports(RunOutcome outcome, Path dir) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.createObjectNode();
        json.put("scenario", outcome.scenario());
        json.put("seed", outcome.seed());
        json.put("engine", outcome.engine());
        json.put("durationSeconds", outcome.durationSeconds());
        json.put("pasids", outcome.pasids());
        json.put("routingMode", outcome.routingMode().name());
        json.put("issuedGroups", outcome.issuedGroups());
        json.put("completedGroups", outcome.completedGroups());
        json.put("lostGroups", outcome.lostGroups());
        json.put("throughputPerSec", outcome.throughputPerSec());
        Histogram latency = outcome.latencyMicros();
        json.putObject("latencyMicros")
                .put("p50", latency.getValueAtPercentile(50))
                .put("p90", latency.getValueAtPercentile(90))
                .put("p99", latency.getValueAtPercentile(99))
                .put("p999", latency.getValueAtPercentile(99.9))
                .put("max", latency.getMaxValue())
                .put("mean", latency.getTotalCount() == 0 ? 0 : latency.getMean())
                .put("count", latency.getTotalCount());
        ObjectNode outcomes = json.putObject("outcomes");
        outcome.outcomes().forEach(outcomes::put);
        ObjectNode violations = json.putObject("violations");
        outcome.violations().forEach(violations::put);
        ObjectNode counterexamples = json.putObject("counterexamples");
        outcome.counterexamples().forEach((invariant, examples) -> examples.forEach(counterexamples.putArray(invariant)::add));
        ArrayNode faults = json.putArray("faultsInjected");
        outcome.faultsInjected().forEach(f -> faults.addObject().put("name", f.name()).put("startSeconds", f.startSeconds())
                .put("endSeconds", f.endSeconds()).put("detail", f.detail()));
        ArrayNode assertions = json.putArray("assertions");
        outcome.assertions().forEach(a -> assertions.addObject().put("expression", a.expression()).put("passed", a.passed()).put("actual", a.actual()));
        json.put("heapPeakBytes", outcome.heapPeakBytes());
        RunReport.Environment env = outcome.environment();
        json.putObject("environment").put("cpus", env.cpus()).put("jvm", env.jvm()).put("maxHeap", env.maxHeapBytes()).put("os", env.os());
        ArrayNode timeline = json.putArray("timeline");
        outcome.timeline().forEach(p -> timeline.addObject().put("tSeconds", p.tSeconds()).put("completedPerSec", p.completedPerSec())
                .put("inFlight", p.inFlight()).put("p99Micros", p.p99Micros()));
        mapper.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(SUMMARY_FILE).toFile(), json);
    }

    private static void printSummary(RunOutcome o, Path dir, PrintWriter out) {
        Histogram latency = o.latencyMicros();
        out.printf(Locale.ROOT, "%nscenario    %s (seed %d) on %s: %.2f s, %,d PASIDs, routing %s%n", o.scenario(), o.seed(), o.engine(),
                o.durationSeconds(), o.pasids(), o.routingMode());
        out.printf(Locale.ROOT, "groups      issued %,d  completed %,d  lost %,d%n", o.issuedGroups(), o.completedGroups(), o.lostGroups());
        out.printf(Locale.ROOT, "throughput  %,.0f groups/s%n", o.throughputPerSec());
        out.printf(Locale.ROOT, "latency     p50 %,dus  p90 %,dus  p99 %,dus  p99.9 %,dus  max %,dus  (%,d groups timed)%n",
                latency.getValueAtPercentile(50), latency.getValueAtPercentile(90), latency.getValueAtPercentile(99),
                latency.getValueAtPercentile(99.9), latency.getMaxValue(), latency.getTotalCount());
        out.println("outcomes    " + (o.outcomes().isEmpty() ? "none" : o.outcomes().entrySet().stream()
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d", e.getValue())).collect(Collectors.joining("  "))));
        long violated = o.violations().values().stream().filter(c -> c > 0).count();
        out.println("invariants  " + (violated == 0 ? "all " + o.violations().size() + " held" : violated + " violated: "
                + o.violations().entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::toString).collect(Collectors.joining(", "))));
        if (!o.assertions().isEmpty()) out.println("assertions");
        for (AssertionResult a : o.assertions()) {
            out.printf(Locale.ROOT, "  %-4s  %s  (actual %s)%n", a.passed() ? "ok" : "FAIL", a.expression(), a.actual());
        }
        out.println("report      " + dir);
        out.flush();
    }
}
