package io.faultfabric.loadgen.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.loadgen.study.StudyPoint.Impairment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The routing study: the sweep, its runs, and what it writes (CSV, JSON, SVG figures, a Markdown section). */
public final class Study {
    /** How big a study: seeds per point, seconds per point, offered groups/s, and which sweeps. */
    public record Plan(String name, long[] seeds, Duration duration, double ratePerSecond, List<StudyPoint> points) {}

    private static final RoutingMode[] MODES = {RoutingMode.OWNER, RoutingMode.DEVICE};

    private Study() {}

    public static Plan quick() { return plan("quick", new long[] {1, 2}, Duration.ofMillis(1200), 8_000, false); }

    public static Plan full() { return plan("full", new long[] {1, 2, 3, 4, 5}, Duration.ofSeconds(3), 8_000, true); }

    /** The smallest plan that shows the isolation result for a stalling device: its hung party, both modes, one seed. */
    public static Plan tinyStalls() {
        List<StudyPoint> pts = new ArrayList<>();
        for (RoutingMode m : MODES) pts.add(new StudyPoint("stalls", m, 256, 16, 0, 0.5, Impairment.HANG, false, 1, true));
        return new Plan("tiny-stalls", new long[] {1}, Duration.ofMillis(1200), 8_000, pts);
    }

    /** The smallest plan that still shows the isolation result: one hung party, both modes, one seed. */
    public static Plan tiny() {
        List<StudyPoint> pts = new ArrayList<>();
        for (RoutingMode m : MODES) pts.add(new StudyPoint("isolation", m, 256, 16, 0, 0.5, Impairment.HANG, false, 1));
        return new Plan("tiny", new long[] {1}, Duration.ofMillis(1200), 8_000, pts);
    }

    private static Plan plan(String name, long[] seeds, Duration d, double rate, boolean full) {
        List<StudyPoint> pts = new ArrayList<>();
        for (long seed : seeds) {
            for (RoutingMode m : MODES) {
                for (Impairment i : Impairment.values()) pts.add(new StudyPoint("isolation", m, 256, 16, 0, 0.5, i, false, seed));
                for (int ppd : new int[] {1, 16, 256, 4096}) pts.add(new StudyPoint("pasids", m, ppd, Math.min(ppd, 16), 0, 0.5, Impairment.HANG, false, seed));
                for (int opd : full ? new int[] {1, 4, 16, 64, 256} : new int[] {1, 4, 16, 64}) {
                    pts.add(new StudyPoint("owners", m, 256, opd, 0, 0.5, Impairment.HANG, false, seed));
                }
                for (double sh : new double[] {0, 0.25, 0.5}) pts.add(new StudyPoint("slow", m, 256, 16, sh, 0.4, Impairment.NONE, false, seed));
                for (double l : full ? new double[] {0.25, 0.5, 0.75, 0.9} : new double[] {0.25, 0.5, 0.9}) {
                    pts.add(new StudyPoint("load", m, 256, 16, 0, l, Impairment.NONE, false, seed));
                }
                for (Impairment i : new Impairment[] {Impairment.NONE, Impairment.HANG}) pts.add(new StudyPoint("guests", m, 256, 16, 0, 0.5, i, true, seed));
                // device 0 a stalling platform device (SMMUv3 stall model) beside PRI device 1
                for (Impairment i : full ? Impairment.values() : new Impairment[] {Impairment.NONE, Impairment.HANG}) {
                    pts.add(new StudyPoint("stalls", m, 256, 16, 0, 0.5, i, false, seed, true));
                }
            }
        }
        return new Plan(name, seeds, d, rate, pts);
    }

    /** Runs every point of {@code plan} and writes its outputs under {@code out}; returns the results. */
    public static List<StudyResult> run(Plan plan, Path out, PrintStream progress) throws IOException {
        Files.createDirectories(out);
        List<StudyResult> results = new ArrayList<>();
        // a discarded first run: class loading and JIT would otherwise land on whichever point comes first
        StudyRun.run(plan.points().get(0), plan.ratePerSecond(), plan.duration());
        int n = 0;
        for (StudyPoint p : plan.points()) {
            StudyResult r = StudyRun.run(p, plan.ratePerSecond(), plan.duration());
            results.add(r);
            progress.printf(Locale.ROOT, "[%d/%d] %s %s ppd=%d opd=%d slow=%.2f load=%.2f %s%s%s seed=%d: %.0f groups/s, p99 %.0f us, co-located p99 %.0f us, %d co-located timeouts%n",
                ++n, plan.points().size(), p.experiment(), p.mode(), p.pasidsPerDevice(), p.ownersPerDevice(), p.slowShare(), p.load(),
                p.impairment(), p.guests() ? " guests" : "", p.stalls() ? " stalling device 0" : "", p.seed(), r.throughputPerSec(), r.p99(), r.coLocatedP99(), r.coLocatedTimeouts());
        }
        write(plan, results, out);
        return results;
    }

    static void write(Plan plan, List<StudyResult> results, Path out) throws IOException {
        Files.writeString(out.resolve("study.csv"), StudyOutput.csv(results));
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("plan", Map.of("name", plan.name(), "seeds", Arrays.stream(plan.seeds()).boxed().toList(),
            "secondsPerPoint", plan.duration().toMillis() / 1000.0, "offeredGroupsPerSecond", plan.ratePerSecond(),
            "devices", StudyRun.DEVICES, "allocationPerDevice", StudyRun.ALLOCATION, "responseTimeoutMs", StudyRun.RESPONSE_TIMEOUT.toMillis(),
            "relayMicros", StudyRun.RELAY_NANOS / 1000.0, "slowFactor", StudyRun.SLOW_FACTOR, "impairedFactor", StudyRun.IMPAIRED_FACTOR));
        doc.put("stallsPoints", Map.of("iommu", "SMMUV3", "stallingDevice", 0, "stallLimit", StudyRun.ALLOCATION,
            "eventQueueDepth", StudyRun.EVENT_QUEUE_DEPTH));
        doc.put("environment", Map.of("cpus", Runtime.getRuntime().availableProcessors(), "java", System.getProperty("java.version"),
            "maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20));
        doc.put("results", results);
        json.writeValue(out.resolve("study.json").toFile(), doc);
        for (StudyOutput.Figure f : StudyOutput.figures()) Files.writeString(out.resolve(f.file()), f.render(results));
        Files.writeString(out.resolve("study.md"), StudyOutput.markdown(plan, results));
    }

    /** min, median, max of a metric over the seeds of the points matching {@code key}; NaN values ignored. */
    static double[] spread(List<StudyResult> rs, ToDoubleFunction<StudyResult> metric) {
        double[] v = rs.stream().mapToDouble(metric).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) return new double[] {Double.NaN, Double.NaN, Double.NaN};
        double med = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return new double[] {v[0], med, v[v.length - 1]};
    }
}
