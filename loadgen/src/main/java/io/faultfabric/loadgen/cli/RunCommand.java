package io.faultfabric.loadgen.cli;

import io.faultfabric.loadgen.report.ProgressPrinter;
import io.faultfabric.loadgen.report.ReportWriter;
import io.faultfabric.loadgen.report.RunReport.AssertionResult;
import io.faultfabric.loadgen.report.RunReport.LatencySummary;
import io.faultfabric.loadgen.run.Engines;
import io.faultfabric.loadgen.run.ProgressListener;
import io.faultfabric.loadgen.run.RunOptions;
import io.faultfabric.loadgen.run.RunOutcome;
import io.faultfabric.loadgen.run.ScenarioRunner;
import io.faultfabric.loadgen.scenario.Scenario;
import io.faultfabric.loadgen.scenario.ScenarioLoader;
import io.faultfabric.loadgen.scenario.StopCondition;
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
    public static final String LOG_FILE = "run.log";
    /** What a run leaves in its report directory, as the summary lists it: the page to open first. */
    static final List<String> REPORT_FILES = List.of(ReportWriter.HTML_FILE, ReportWriter.JSON_FILE, ReportWriter.HLOG_FILE, LOG_FILE);
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

    @Option(names = "--warmup", paramLabel = "DURATION", converter = Converters.NonNegativeDuration.class, defaultValue = "2s",
            description = "Run the scenario's load this long on a throwaway fabric first, so the measured run starts on a warm JVM "
                    + "(default: ${DEFAULT-VALUE}; 0s measures from cold). The fabric engine on one node only.")
    private Duration warmup;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "1",
            description = "Run on a Pekko cluster of N nodes in this process on 127.0.0.1 (fabric engine, N >= 2): node 1 runs the devices "
                    + "and IOMMU units, nodes 2..N host the sharded IOASID owners. Default: ${DEFAULT-VALUE} (no cluster). See docs/cluster.md.")
    private int nodes;

    @Option(names = "--join", paramLabel = "HOST:PORT,...", split = ",",
            description = "Join an existing cluster at these seed nodes as its devices node (fabric engine): the owners are served by "
                    + "the owners nodes started with 'faultfabric node' in other processes. See docs/cluster.md.")
    private List<String> join;

    @Option(names = "--host", paramLabel = "HOST",
            description = "With --join: the address this devices node binds to (a free port), which the owners nodes must reach. "
                    + "Default: 127.0.0.1.")
    private String host;

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
        if (nodes < 1) throw new ParameterException(spec.commandLine(), "Invalid value for option '--nodes': must be >= 1, was " + nodes);
        if (nodes > 1 && !runner.name().equals("fabric")) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--nodes': a cluster run needs the fabric engine, not " + runner.name());
        }
        runner.check(s); // a scenario the engine refuses leaves no report directory behind
        RunOptions.ClusterJoin joining = null;
        if (host != null && join == null) throw new ParameterException(spec.commandLine(), "Invalid value for option '--host': it is for --join only");
        if (join != null) {
            if (nodes > 1) throw new ParameterException(spec.commandLine(), "Invalid value for option '--join': a run joins an existing cluster or starts "
                + "--nodes of its own, not both");
            if (!runner.name().equals("fabric")) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--join': a cluster run needs the fabric engine, not " + runner.name());
            }
            NodeCommand.checkSeedNodes(spec, "--join", join);
            joining = new RunOptions.ClusterJoin(host == null ? "127.0.0.1" : host, join);
        }
        Path dir = createReportDir(s.name());
        RunLog.to(dir.resolve(LOG_FILE));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "Running %s on the %s engine: %,d PASIDs, routing %s, load %s, stop %s%n", s.name(), runner.name(),
                s.topology().pasids(), s.topology().mode(), s.load(), s.stop());
        out.flush();
        ProgressPrinter printer = ProgressPrinter.forStandardOutput(out);
        RunOutcome outcome;
        try {
            outcome = runner.run(s, RunOptions.in(dir).withWarmup(warmup).withNodes(nodes).joining(joining), quiet ? ProgressListener.NONE : printer::print).withAssertionsOf(s);
        } finally {
            printer.finish();
        }
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

    /** Writes the run's report files into {@code dir}, as {@link ReportWriter} does (run.log is already there). */
    static void writeReports(RunOutcome outcome, Path dir) throws IOException {
        new ReportWriter().write(outcome.toReport(), dir);
    }

    /** The sum of the outcomes whose names start with {@code prefix}. */
    private static long sum(Map<String, Long> outcomes, String prefix) {
        return outcomes.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(Map.Entry::getValue).sum();
    }

    private static void printSummary(RunOutcome o, Path dir, PrintWriter out) {
        LatencySummary latency = o.latencySummary();
        out.printf(Locale.ROOT, "%nscenario    %s (seed %d) on %s: %.2f s, %,d PASIDs, routing %s%n", o.scenario(), o.seed(), o.engine(),
                o.durationSeconds(), o.pasids(), o.routingMode());
        out.printf(Locale.ROOT, "groups      issued %,d  completed %,d  lost %,d%n", o.issuedGroups(), o.completedGroups(), o.lostGroups());
        long answered = sum(o.outcomes(), "answered.");
        long automatic = sum(o.outcomes(), "auto.") - o.outcomes().getOrDefault("auto.SHUTDOWN", 0L);
        out.printf(Locale.ROOT, "accounting  issued %,d = answered by handlers %,d + answered automatically %,d + outstanding at the end %,d%s%n",
                o.issuedGroups(), answered, automatic, o.lostGroups(), answered + automatic + o.lostGroups() == o.issuedGroups() ? "" : "  (DOES NOT ADD UP)");
        out.printf(Locale.ROOT, "throughput  %,.0f groups/s%n", o.throughputPerSec());
        out.printf(Locale.ROOT, "latency     p50 %,dus  p90 %,dus  p99 %,dus  p99.9 %,dus  max %,dus  (%,d groups timed)%n",
                latency.p50(), latency.p90(), latency.p99(), latency.p999(), latency.max(), latency.count());
        out.println("outcomes    " + (o.outcomes().isEmpty() ? "none" : o.outcomes().entrySet().stream()
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d", e.getValue())).collect(Collectors.joining("  "))));
        long violated = o.violations().values().stream().filter(c -> c > 0).count();
        out.println("invariants  " + (violated == 0 ? "all " + o.violations().size() + " held" : violated + " violated: "
                + o.violations().entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::toString).collect(Collectors.joining(", "))));
        if (!o.assertions().isEmpty()) out.println("assertions");
        for (AssertionResult a : o.assertions()) {
            out.printf(Locale.ROOT, "  %-4s  %s  (actual %s)%n", a.passed() ? "ok" : "FAIL", a.expression(), a.actual());
        }
        String label = "report      ";
        for (String file : REPORT_FILES) {
            out.println(label + dir.resolve(file));
            label = " ".repeat(label.length());
        }
        out.flush();
    }
}
