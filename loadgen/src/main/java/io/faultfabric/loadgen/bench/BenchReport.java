package io.faultfabric.loadgen.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The bench's environment, its lines on the console, and its JSON file. */
public final class BenchReport {
    private BenchReport() {}

    /** Where the figures were measured: a figure means little without the machine it came from. */
    public record Environment(int cpus, String cpuModel, String jvm, long maxHeapBytes, String gc, List<String> jvmArgs, String os) {
        public static Environment current() {
            Runtime rt = Runtime.getRuntime();
            return new Environment(rt.availableProcessors(), readCpuModel(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"), rt.maxMemory(),
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", ")),
                ManagementFactory.getRuntimeMXBean().getInputArguments(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        }

        static String readCpuModel() {
            try {
                return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }

        /** The 1, 5 and 15 minute load averages (Linux), or "unknown": anything else running on the machine shows here. */
        public static String loadAverage() {
            try {
                String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
                return f[0] + " " + f[1] + " " + f[2];
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }

        public String line() {
            return String.format(Locale.ROOT, "%d cores (%s), %s, max heap %,d MiB, GC %s, JVM options %s", cpus, cpuModel, jvm,
                maxHeapBytes >> 20, gc, jvmArgs.isEmpty() ? "none" : String.join(" ", jvmArgs));
        }
    }

    public static String header() {
        return String.format(Locale.ROOT, "%-22s %16s %16s %16s %9s %9s %6s", "throughput", "direct groups/s", "fabric groups/s",
            "fabric req/s", "fab/dir", "slowdown", "viol.");
    }

    /** One line per result, in the units the targets use. */
    public static String line(BenchResult r) {
        if (r instanceof BenchResult.Throughput t) {
            return String.format(Locale.ROOT, "%-22s %,16.0f %,16.0f %,16.0f %9.3f %8.1fx %6d", t.workload().name(),
                t.direct().groupsPerSec(), t.fabric().groupsPerSec(), t.fabric().requestsPerSec(), t.ratio(), t.slowdown(), t.violations());
        }
        if (r instanceof BenchResult.Latency l) {
            return String.format(Locale.ROOT, "%-22s max (closed) %,.0f groups/s; open at %,.0f/s achieved %,.0f/s; in-engine latency"
                    + " p50 %d us, p99 %d us, p99.9 %d us (%,d groups); from intended time p50 %d us, p99 %d us; violations %d",
                l.workload().name(), l.maxGroupsPerSec(), l.offeredPerSec(), l.achievedPerSec(), pct(l.engineMicros(), 50),
                pct(l.engineMicros(), 99), pct(l.engineMicros(), 99.9), l.engineMicros().getTotalCount(), pct(l.intendedMicros(), 50),
                pct(l.intendedMicros(), 99), l.violations());
        }
        BenchResult.Memory m = (BenchResult.Memory) r;
        return String.format(Locale.ROOT, "%-22s %,d PASIDs: %.0f bytes of heap per idle PASID (+%,d MiB), started in %.2f s; violations %d",
            m.workload().name(), m.workload().pasids(), m.bytesPerPasid(), (m.heapAfterBytes() - m.heapBeforeBytes()) >> 20,
            m.startSeconds(), m.violations());
    }

    static long pct(Histogram h, double p) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p);
    }

    public static void writeJson(Path file, Environment env, Bench.Plan plan, List<BenchResult> results, double totalSeconds,
                                 String loadBefore, String loadAfter) throws IOException {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode root = nodes.objectNode();
        ObjectNode e = root.putObject("environment");
        e.put("cpus", env.cpus()).put("cpuModel", env.cpuModel()).put("jvm", env.jvm()).put("maxHeapBytes", env.maxHeapBytes())
            .put("gc", env.gc()).put("os", env.os()).put("loadAverageBefore", loadBefore).put("loadAverageAfter", loadAfter);
        env.jvmArgs().forEach(e.putArray("jvmArgs")::add);
        ObjectNode p = root.putObject("plan");
        p.put("quick", plan.quick()).put("seed", plan.seed()).put("warmupSeconds", plan.warmup().toMillis() / 1e3)
            .put("measureSeconds", plan.measure().toMillis() / 1e3)
            .put("iommus", BenchWorkload.IOMMUS).put("devices", BenchWorkload.IOMMUS * BenchWorkload.DEVICES_PER_IOMMU)
            .put("allocation", BenchWorkload.ALLOCATION).put("ownerServiceTime", "zero");
        root.put("totalSeconds", totalSeconds);
        var array = root.putArray("results");
        for (BenchResult r : results) {
            ObjectNode o = array.addObject();
            o.put("name", r.workload().name()).put("pasids", r.workload().pasids()).put("violations", r.violations());
            if (r instanceof BenchResult.Throughput t) {
                o.put("kind", "throughput").put("requestsPerGroup", t.workload().requestsPerGroup())
                    .put("pasidChoice", t.workload().choice().toString());
                engine(o.putObject("direct"), t.direct());
                engine(o.putObject("fabric"), t.fabric());
                o.put("ratio", t.ratio()).put("slowdown", t.slowdown()).put("fabricStartSeconds", t.fabricStartSeconds());
            } else if (r instanceof BenchResult.Latency l) {
                o.put("kind", "latency").put("loadFraction", l.workload().loadFraction());
                engine(o.putObject("closed"), l.closed());
                o.put("maxGroupsPerSec", l.maxGroupsPerSec()).put("offeredPerSec", l.offeredPerSec())
                    .put("achievedPerSec", l.achievedPerSec());
                engine(o.putObject("open"), l.open());
                latency(o.putObject("engineLatencyMicros"), l.engineMicros());
                latency(o.putObject("intendedLatencyMicros"), l.intendedMicros());
            } else {
                BenchResult.Memory m = (BenchResult.Memory) r;
                o.put("kind", "memory").put("heapBeforeBytes", m.heapBeforeBytes()).put("heapAfterBytes", m.heapAfterBytes())
                    .put("bytesPerPasid", m.bytesPerPasid()).put("startSeconds", m.startSeconds());
            }
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }

    private static void engine(ObjectNode o, BenchResult.EngineFigures f) {
        o.put("groups", f.groups()).put("requests", f.requests()).put("seconds", f.seconds()).put("groupsPerSec", f.groupsPerSec())
            .put("requestsPerSec", f.requestsPerSec()).put("violations", f.violations()).put("lostGroups", f.lostGroups()).put("autoAnswered", f.autoAnswered());
        ObjectNode reasons = o.putObject("autoReasons");
        f.autoReasons().forEach(reasons::put);
    }

    private static void latency(ObjectNode o, Histogram h) {
        o.put("p50", pct(h, 50)).put("p99", pct(h, 99)).put("p999", pct(h, 99.9)).put("max", h.getTotalCount() == 0 ? 0 : h.getMaxValue())
            .put("count", h.getTotalCount());
    }

    static void print(PrintWriter out, String s) {
        out.println(s);
        out.flush();
    }
}
