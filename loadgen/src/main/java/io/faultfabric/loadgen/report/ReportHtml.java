package io.faultfabric.loadgen.report;

import static io.faultfabric.loadgen.report.Format.count;
import static io.faultfabric.loadgen.report.Format.decimal;
import static io.faultfabric.loadgen.report.Html.escape;

import io.faultfabric.loadgen.report.RunReport.AssertionResult;
import io.faultfabric.loadgen.report.RunReport.Environment;
import io.faultfabric.loadgen.report.RunReport.FaultWindow;
import io.faultfabric.loadgen.report.RunReport.LatencySummary;
import java.util.List;
import java.util.Map;

/** Renders report.html: one page, no scripts, no external resources, every report string escaped. */
final class ReportHtml {
    private static final double PERCENT = 100.0;
    private static final String STYLE = """
            :root { --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --accent: #2563eb;
                    --ok: #15803d; --ok-bg: #dcfce7; --bad: #b91c1c; --bad-bg: #fee2e2; --fault: #d97706; }
            * { box-sizing: border-box; }
            body { margin: 0; background: #f3f4f6; color: var(--ink);
                   font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
            main { max-width: 1160px; margin: 0 auto; padding: 24px; }
            header { display: flex; justify-content: space-between; align-items: flex-start; gap: 16px; margin-bottom: 16px; }
            h1 { font-size: 22px; margin: 0 0 4px; }
            h2 { font-size: 15px; margin: 0 0 10px; }
            h3 { font-size: 13px; margin: 12px 0 4px; }
            .subtitle { color: var(--muted); margin: 0; }
            .verdicts { display: flex; gap: 8px; flex-wrap: wrap; justify-content: flex-end; }
            .badge { display: inline-block; padding: 3px 10px; border-radius: 999px; font-weight: 600; font-size: 12px; white-space: nowrap; }
            .badge.ok { color: var(--ok); background: var(--ok-bg); }
            .badge.bad { color: var(--bad); background: var(--bad-bg); }
            section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-bottom: 16px; }
            .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; margin-bottom: 16px; }
            .columns > section { margin-bottom: 0; }
            .summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 8px 32px; align-items: start; }
            caption { text-align: left; font-size: 13px; font-weight: 600; padding: 0 8px 4px; }
            table.environment { margin-top: 14px; }
            td.value { text-align: right; }
            table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
            th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
            tbody tr:last-child > * { border-bottom: none; }
            thead th { color: var(--muted); font-size: 12px; font-weight: 600; }
            tbody th { font-weight: 500; color: var(--muted); }
            .num { text-align: right; white-space: nowrap; }
            td:first-child code { white-space: nowrap; }
            code { font: 12px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
            .share { width: 30%; }
            .share span { display: block; height: 8px; border-radius: 4px; background: var(--accent); opacity: .7; }
            table.violations { border-left: 4px solid; }
            table.violations.ok { border-color: var(--ok); }
            table.violations.ok thead th { background: var(--ok-bg); color: var(--ok); }
            table.violations.failed { border-color: var(--bad); }
            table.violations.failed thead th { background: var(--bad-bg); color: var(--bad); }
            tr.bad td, tr.bad th, td.bad { color: var(--bad); font-weight: 600; }
            td.ok { color: var(--ok); font-weight: 600; }
            .no-data, .empty { color: var(--muted); font-style: italic; margin: 4px 0; }
            .no-data { padding: 32px; text-align: center; background: #f9fafb; border: 1px dashed var(--line); border-radius: 6px; }
            svg.chart { display: block; width: 100%; height: auto; }
            .chart .grid line { stroke: #eef0f3; }
            .chart .axis line { stroke: #9ca3af; }
            .chart .tick-label { font-size: 12px; fill: var(--muted); }
            .chart .axis-title { font-size: 13px; font-weight: 600; fill: #374151; }
            .chart .series { fill: none; stroke: var(--accent); stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
            .chart .marker { fill: var(--accent); }
            .chart .band { fill: var(--fault); opacity: .14; }
            .chart .band-label { font-size: 11px; font-weight: 600; fill: var(--fault); }
            footer { color: var(--muted); font-size: 12px; text-align: center; }
            """;

    private final RunReport report;
    private final StringBuilder html = new StringBuilder();

    private ReportHtml(RunReport report) {
        this.report = report;
    }

    static String render(RunReport report) {
        return new ReportHtml(report).page();
    }

    private String page() {
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>FaultFabric run report: ").append(escape(report.scenario())).append("</title>\n")
                .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n<main>\n");
        header();
        summary();
        html.append("<section>\n<h2>Throughput</h2>\n").append(ReportCharts.throughput(report)).append("</section>\n")
                .append("<section>\n<h2>Latency percentiles</h2>\n").append(ReportCharts.latency(report)).append("</section>\n")
                .append("<div class=\"columns\">\n");
        outcomes();
        violations();
        html.append("</div>\n<div class=\"columns\">\n");
        faults();
        assertions();
        html.append("</div>\n");
        return html.append("<footer>Generated by FaultFabric loadgen</footer>\n</main>\n</body>\n</html>\n").toString();
    }

    private void header() {
        int invariants = report.violations().size();
        long violated = report.violations().values().stream().filter(count -> count > 0).count();
        int asserted = report.assertions().size();
        long passed = report.assertions().stream().filter(AssertionResult::passed).count();
        html.append("<header>\n<div>\n<h1>FaultFabric run report</h1>\n<p class=\"subtitle\">Scenario <strong>")
                .append(escape(report.scenario())).append("</strong> · seed ").append(report.seed()).append(" · ")
                .append(escape(report.engine())).append(" engine · ")
                .append(decimal(report.durationSeconds(), 1)).append(" s · ").append(escape(report.routingMode()))
                .append(" routing</p>\n</div>\n<div class=\"verdicts\">\n");
        if (invariants > 0) {
            html.append(badge(violated == 0, violated == 0
                    ? "All " + invariants + " invariants held" : violated + " of " + invariants + " invariants violated"));
        }
        if (asserted > 0) html.append(badge(passed == asserted, passed + " of " + asserted + " assertions passed"));
        html.append("</div>\n</header>\n");
    }

    private void summary() {
        LatencySummary latency = report.latencyMicros();
        Environment environment = report.environment();
        html.append("<section>\n<h2>Summary</h2>\n<div class=\"summary\">\n");
        keyValues("Run", new String[][] {
            {"Scenario", escape(report.scenario())},
            {"Seed", Long.toString(report.seed())},
            {"Engine", escape(report.engine())},
            {"Duration", decimal(report.durationSeconds(), 1) + " s"},
            {"PASIDs", count(report.pasids())},
            {"Routing mode", escape(report.routingMode())},
            {"Heap peak", Format.bytes(report.heapPeakBytes())},
        });
        keyValues("Page request groups", new String[][] {
            {"Issued", count(report.issuedGroups())},
            {"Completed", count(report.completedGroups())},
            {"Lost", count(report.lostGroups())},
            {"Throughput", decimal(report.throughputPerSec(), 0) + " /s"},
            {"Latency samples", count(latency.count())},
        });
        keyValues("Latency (µs)", new String[][] {
            {"p50", count(latency.p50())},
            {"p90", count(latency.p90())},
            {"p99", count(latency.p99())},
            {"p99.9", count(latency.p999())},
            {"max", count(latency.max())},
            {"mean", decimal(latency.mean(), 1)},
        });
        html.append("</div>\n<table class=\"environment\">\n<caption>Environment</caption>\n")
                .append("<thead><tr><th>CPUs</th><th>JVM</th><th>Max heap</th><th>OS</th></tr></thead>\n<tbody><tr><td>")
                .append(count(environment.cpus())).append("</td><td>").append(escape(environment.jvm())).append("</td><td>")
                .append(Format.bytes(environment.maxHeapBytes())).append("</td><td>").append(escape(environment.os()))
                .append("</td></tr></tbody>\n</table>\n</section>\n");
    }

    /** A captioned table of already-escaped label and value pairs. */
    private void keyValues(String caption, String[][] rows) {
        html.append("<table>\n<caption>").append(escape(caption)).append("</caption>\n<tbody>\n");
        for (String[] row : rows) html.append("<tr><th>").append(row[0]).append("</th><td class=\"value\">").append(row[1]).append("</td></tr>\n");
        html.append("</tbody>\n</table>\n");
    }

    private void outcomes() {
        html.append("<section>\n<h2>Outcomes</h2>\n");
        Map<String, Long> outcomes = report.outcomes();
        if (outcomes.isEmpty()) {
            html.append("<p class=\"empty\">No outcomes were recorded.</p>\n</section>\n");
            return;
        }
        long total = outcomes.values().stream().mapToLong(Long::longValue).sum();
        html.append("<table class=\"outcomes\">\n<thead><tr><th>Outcome</th><th class=\"num\">Count</th><th class=\"num\">Share</th><th class=\"share\"></th></tr></thead>\n<tbody>\n");
        outcomes.forEach((name, count) -> {
            double share = total == 0 ? 0 : PERCENT * count / total;
            html.append("<tr><td><code>").append(escape(name)).append("</code></td><td class=\"num\">").append(count(count))
                    .append("</td><td class=\"num\">").append(decimal(share, 2)).append("%</td><td class=\"share\"><span style=\"width:")
                    .append(Format.plain(share)).append("%\"></span></td></tr>\n");
        });
        html.append("</tbody>\n</table>\n</section>\n");
    }

    private void violations() {
        html.append("<section>\n<h2>Invariant violations</h2>\n");
        if (report.violations().isEmpty()) {
            html.append("<p class=\"empty\">No invariants were checked.</p>\n");
        } else {
            html.append("<table class=\"violations ").append(report.invariantsHeld() ? "ok" : "failed")
                    .append("\">\n<thead><tr><th>Invariant</th><th class=\"num\">Violations</th></tr></thead>\n<tbody>\n");
            report.violations().forEach((name, count) -> html.append(count > 0 ? "<tr class=\"bad\">" : "<tr>")
                    .append("<td><code>").append(escape(name)).append("</code></td><td class=\"num\">").append(count(count)).append("</td></tr>\n"));
            html.append("</tbody>\n</table>\n");
        }
        report.counterexamples().forEach((name, steps) -> {
            html.append("<h3>Counterexample: <code>").append(escape(name)).append("</code></h3>\n<ol>\n");
            steps.forEach(step -> html.append("<li><code>").append(escape(step)).append("</code></li>\n"));
            html.append("</ol>\n");
        });
        html.append("</section>\n");
    }

    private void faults() {
        List<FaultWindow> faults = report.faultsInjected();
        html.append("<section>\n<h2>Injected faults</h2>\n");
        if (faults.isEmpty()) {
            html.append("<p class=\"empty\">No faults were injected.</p>\n</section>\n");
            return;
        }
        html.append("<table class=\"faults\">\n<thead><tr><th>Fault</th><th class=\"num\">Start (s)</th><th class=\"num\">End (s)</th><th>Detail</th></tr></thead>\n<tbody>\n");
        for (FaultWindow fault : faults) {
            html.append("<tr><td><code>").append(escape(fault.name())).append("</code></td><td class=\"num\">")
                    .append(decimal(fault.startSeconds(), 1)).append("</td><td class=\"num\">").append(decimal(fault.endSeconds(), 1))
                    .append("</td><td>").append(escape(fault.detail())).append("</td></tr>\n");
        }
        html.append("</tbody>\n</table>\n</section>\n");
    }

    private void assertions() {
        List<AssertionResult> assertions = report.assertions();
        html.append("<section>\n<h2>Assertions</h2>\n");
        if (assertions.isEmpty()) {
            html.append("<p class=\"empty\">The scenario made no assertions.</p>\n</section>\n");
            return;
        }
        html.append("<table class=\"assertions\">\n<thead><tr><th>Assertion</th><th>Result</th><th>Actual</th></tr></thead>\n<tbody>\n");
        for (AssertionResult assertion : assertions) {
            html.append("<tr><td><code>").append(escape(assertion.expression())).append("</code></td>")
                    .append(assertion.passed() ? "<td class=\"ok\">PASS" : "<td class=\"bad\">FAIL").append("</td><td><code>")
                    .append(escape(assertion.actual())).append("</code></td></tr>\n");
        }
        html.append("</tbody>\n</table>\n</section>\n");
    }

    private static String badge(boolean ok, String text) {
        return "<span class=\"badge " + (ok ? "ok" : "bad") + "\">" + escape(text) + "</span>\n";
    }
}
