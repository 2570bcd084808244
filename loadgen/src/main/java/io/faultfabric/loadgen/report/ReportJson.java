package io.faultfabric.loadgen.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultfabric.loadgen.report.RunReport.AssertionResult;
import io.faultfabric.loadgen.report.RunReport.Environment;
import io.faultfabric.loadgen.report.RunReport.FaultWindow;
import io.faultfabric.loadgen.report.RunReport.LatencySummary;
import io.faultfabric.loadgen.report.RunReport.TimelinePoint;
import java.util.List;
import java.util.Map;

/** The report.json tree, built field by field so names and key order are the documented ones, not Java's. */
final class ReportJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ReportJson() {}

    static ObjectNode of(RunReport report) {
        ObjectNode json = NODES.objectNode();
        json.put("scenario", report.scenario());
        json.put("seed", report.seed());
        json.put("engine", report.engine());
        json.put("durationSeconds", report.durationSeconds());
        json.put("pasids", report.pasids());
        json.put("routingMode", report.routingMode());
        json.put("issuedGroups", report.issuedGroups());
        json.put("completedGroups", report.completedGroups());
        json.put("lostGroups", report.lostGroups());
        json.put("throughputPerSec", report.throughputPerSec());
        LatencySummary latency = report.latencyMicros();
        json.putObject("latencyMicros")
                .put("p50", latency.p50())
                .put("p90", latency.p90())
                .put("p99", latency.p99())
                .put("p999", latency.p999())
                .put("max", latency.max())
                .put("mean", latency.mean())
                .put("count", latency.count());
        counts(json.putObject("outcomes"), report.outcomes());
        counts(json.putObject("violations"), report.violations());
        ObjectNode counterexamples = json.putObject("counterexamples");
        report.counterexamples().forEach((name, steps) -> strings(counterexamples.putArray(name), steps));
        ArrayNode faults = json.putArray("faultsInjected");
        for (FaultWindow fault : report.faultsInjected()) {
            faults.addObject()
                    .put("name", fault.name())
                    .put("startSeconds", fault.startSeconds())
                    .put("endSeconds", fault.endSeconds())
                    .put("detail", fault.detail());
        }
        ArrayNode assertions = json.putArray("assertions");
        for (AssertionResult assertion : report.assertions()) {
            assertions.addObject()
                    .put("expression", assertion.expression())
                    .put("passed", assertion.passed())
                    .put("actual", assertion.actual());
        }
        json.put("heapPeakBytes", report.heapPeakBytes());
        Environment environment = report.environment();
        json.putObject("environment")
                .put("cpus", environment.cpus())
                .put("jvm", environment.jvm())
                .put("maxHeap", environment.maxHeapBytes())
                .put("os", environment.os());
        ArrayNode timeline = json.putArray("timeline");
        for (TimelinePoint point : report.timeline()) {
            timeline.addObject()
                    .put("tSeconds", point.tSeconds())
                    .put("completedPerSec", point.completedPerSec())
                    .put("inFlight", point.inFlight())
                    .put("p99Micros", point.p99Micros());
        }
        return json;
    }

    private static void counts(ObjectNode into, Map<String, Long> counts) {
        counts.forEach(into::put);
    }

    private static void strings(ArrayNode into, List<String> values) {
        values.forEach(into::add);
    }
}
