package io.faultfabric.loadgen.cli;

import io.faultfabric.loadgen.bench.Bench;
import io.faultfabric.loadgen.bench.BenchReport;
import io.faultfabric.loadgen.bench.BenchResult;
import io.faultfabric.loadgen.bench.BenchWorkload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** Measures the actor fabric against the single-threaded DirectFabric, with the checkers on, and reports the figures. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Measure the fabric. The same seeded workloads run through DirectFabric (one",
                "thread, no actors) and through the actor fabric (closed model, concurrency =",
                "allocation, owners answer at once), each after a warm-up, checkers on; then",
                "latency at half the fabric's closed-model rate, and heap per idle PASID.",
                "Prints groups/s, page requests/s and the ratio fabric/direct.",
                "The full bench takes about 5 minutes and needs a max heap of 3 GiB;",
                "docs/benchmarks.md runs it with FAULTFABRIC_JAVA_OPTS=",
                "\"-XX:+UseParallelGC -Xms8g -Xmx8g -Xmn4g\". Run nothing else meanwhile.",
                "Exit code 0 when no workload had an invariant violation or lost group,",
                "1 when one had, 2 on bad input."})
public final class BenchCommand implements Callable<Integer> {
    private static final Duration WARMUP = Duration.ofSeconds(3);
    private static final Duration MEASURE = Duration.ofSeconds(5);
    private static final Duration QUICK_WARMUP = Duration.ofMillis(300);
    private static final Duration QUICK_MEASURE = Duration.ofMillis(500);

    @Spec
    private CommandSpec spec;

    @Option(names = "--quick", description = "A short bench for tests and smoke checks: small topologies only, 300 ms warm-up and 500 ms measurement per engine.")
    private boolean quick;

    @Option(names = "--only", paramLabel = "NAME", description = "Run only this workload (see --list).")
    private String only;

    @Option(names = "--list", description = "List the workloads and exit.")
    private boolean list;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every result, with the environment, to this JSON file.")
    private Path json;

    @Option(names = "--warmup", paramLabel = "DURATION", converter = Converters.PositiveDuration.class,
            description = "Warm-up of each engine before it is measured, e.g. 3s. Default: 3s (--quick: 300ms).")
    private Duration warmup;

    @Option(names = "--measure", paramLabel = "DURATION", converter = Converters.PositiveDuration.class,
            description = "How long each engine is measured, e.g. 5s (the latency workload measures twice this). Default: 5s (--quick: 500ms).")
    private Duration measure;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "The seed of every workload. Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, BenchWorkload> known = new LinkedHashMap<>();
        for (BenchWorkload w : BenchWorkload.full()) known.put(w.name(), w);
        for (BenchWorkload w : BenchWorkload.quick()) known.putIfAbsent(w.name(), w);
        if (list) {
            int width = known.keySet().stream().mapToInt(String::length).max().orElse(0);
            known.values().forEach(w -> out.printf(Locale.ROOT, "%-" + width + "s  %s%s%n", w.name(), w.describe(),
                BenchWorkload.quick().contains(w) ? " (--quick)" : ""));
            out.flush();
            return ExitCodes.OK;
        }
        List<BenchWorkload> workloads;
        if (only != null) {
            BenchWorkload w = known.get(only);
            if (w == null) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--only': '" + only + "' is not a workload; expected one of "
                        + String.join(", ", known.keySet()));
            }
            workloads = List.of(w);
        } else {
            workloads = quick ? BenchWorkload.quick() : BenchWorkload.full();
        }
        if (json != null) checkWritable(json);
        Optional<String> heap = heapProblem(workloads, Runtime.getRuntime().maxMemory());
        if (heap.isPresent()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": " + heap.get());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        Bench.Plan plan = new Bench.Plan(workloads, warmup != null ? warmup : quick ? QUICK_WARMUP : WARMUP,
                measure != null ? measure : quick ? QUICK_MEASURE : MEASURE, seed, quick);
        BenchReport.Environment env = BenchReport.Environment.current();
        String loadBefore = BenchReport.Environment.loadAverage();
        out.println("faultfabric bench on " + env.line() + "; load average " + loadBefore);
        out.printf(Locale.ROOT, "%d workloads; each engine warms up %s and is measured %s; topology 4 IOMMUs x 64 devices, allocation %d,"
                + " one HOST_SVA owner per PASID, service time zero; checkers on%n", workloads.size(), human(plan.warmup()),
                human(plan.measure()), BenchWorkload.ALLOCATION);
        out.flush();
        long t0 = System.nanoTime();
        List<BenchResult> results = new ArrayList<>();
        boolean[] headerShown = {false};
        new Bench(plan, msg -> { }).run(r -> {
            if (r instanceof BenchResult.Throughput && !headerShown[0]) {
                out.println(BenchReport.header());
                headerShown[0] = true;
            }
            out.println(BenchReport.line(r));
            out.flush();
            results.add(r);
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        String loadAfter = BenchReport.Environment.loadAverage();
        out.printf(Locale.ROOT, "bench done in %.1f s; load average %s%n", seconds, loadAfter);
        if (json != null) {
            BenchReport.writeJson(json, env, plan, results, seconds, loadBefore, loadAfter);
            out.println("results     " + json);
        }
        out.flush();
        List<String> violated = results.stream().filter(r -> r.violations() > 0).map(r -> r.workload().name()).collect(Collectors.toList());
        if (!violated.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": invariant violations or lost groups in " + String.join(", ", violated));
            err.flush();
            return ExitCodes.ASSERTION_FAILED;
        }
        return ExitCodes.OK;
    }

    /** Why this JVM's heap is too small for these workloads, if it is: said before anything starts, rather than dying midway. */
    static Optional<String> heapProblem(List<BenchWorkload> workloads, long maxHeapBytes) {
        long need = Bench.requiredHeapBytes(workloads);
        if (maxHeapBytes >= need) return Optional.empty();
        BenchWorkload biggest = workloads.stream().max(java.util.Comparator.comparingInt(BenchWorkload::pasids)).orElseThrow();
        return Optional.of(String.format(Locale.ROOT, "workload %s (%,d PASIDs) needs a max heap of at least %,d MiB, but this JVM has %,d MiB;"
                + " give it more with FAULTFABRIC_JAVA_OPTS=-Xmx8g (java -Xmx8g), or choose smaller workloads with --only or --quick",
                biggest.name(), biggest.pasids(), need >> 20, maxHeapBytes >> 20));
    }

    private void checkWritable(Path file) {
        if (Files.isDirectory(file)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--json': " + file + " is a directory; expected a file to write");
        }
        Path parent = file.toAbsolutePath().getParent();
        try {
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--json': cannot create the directory " + parent + " (" + e + ")");
        }
        if (parent != null && !Files.isWritable(parent)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--json': the directory " + parent + " is not writable");
        }
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
