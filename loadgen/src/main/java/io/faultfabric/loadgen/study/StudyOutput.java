package io.faultfabric.loadgen.study;

import io.faultfabric.engine.RoutingMode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** The study's CSV, figures (standalone SVG, the report charts' geometry) and Markdown section, all from the results. */
final class StudyOutput {
    private StudyOutput() {}

    private static final String[] COLOURS = {"#1f77b4", "#d62728"};

    static String csv(List<StudyResult> rs) {
        StringBuilder b = new StringBuilder("experiment,mode,pasidsPerDevice,ownersPerDevice,slowShare,load,impairment,guests,seed,"
            + "serviceMicros,offeredPerSec,seconds,issued,completed,throughputPerSec,p50Us,p99Us,p999Us,maxUs,partyP99Us,"
            + "coLocatedP50Us,coLocatedP99Us,coLocatedTimeouts,coLocatedAuto,remoteP99Us,jain,overflowEvents,autoTotal,timeouts,"
            + "ownerQueueFull,priDisabled,violations,coLocatedThroughput,systemLoad,stallingDevice0,stalls,resumesRetry,resumesAbort,"
            + "eventQueueWaits\n");
        for (StudyResult r : rs) {
            StudyPoint p = r.point();
            b.append(String.join(",", p.experiment(), p.mode().name(), i(p.pasidsPerDevice()), i(p.ownersPerDevice()), d(p.slowShare()),
                d(p.load()), p.impairment().name(), Boolean.toString(p.guests()), i(p.seed()), d(r.serviceNanos() / 1000.0),
                d(r.offeredPerSecond()), d(r.seconds()), i(r.issued()), i(r.completed()), d(r.throughputPerSec()), d(r.p50()), d(r.p99()),
                d(r.p999()), d(r.max()), d(r.partyP99()), d(r.coLocatedP50()), d(r.coLocatedP99()), i(r.coLocatedTimeouts()),
                i(r.coLocatedAuto()), d(r.remoteP99()), d(r.jain()), i(r.overflowEvents()), i(r.autoTotal()), i(r.timeouts()),
                i(r.ownerQueueFull()), i(r.priDisabled()), i(r.violations()), d(r.coLocatedThroughput()), d(r.systemLoad()),
                Boolean.toString(p.stalls()), i(r.stalls()), i(r.resumesRetry()), i(r.resumesAbort()), i(r.eventQueueWaits()))).append('\n');
        }
        return b.toString();
    }

    private static String i(long v) { return Long.toString(v); }
    private static String d(double v) { return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4g", v); }

    record Figure(String file, String experiment, String title, String xTitle, Function<StudyPoint, String> x, String yTitle,
                  ToDoubleFunction<StudyResult> y) {

        String render(List<StudyResult> all) {
            List<StudyResult> rs = all.stream().filter(r -> r.point().experiment().equals(experiment)).toList();
            List<String> xs = new ArrayList<>(new LinkedHashSet<>(rs.stream().map(r -> x.apply(r.point())).toList()));
            double[][][] s = new double[2][xs.size()][];
            double top = 0;
            for (int m = 0; m < 2; m++) {
                RoutingMode mode = RoutingMode.values()[m];
                for (int k = 0; k < xs.size(); k++) {
                    String label = xs.get(k);
                    s[m][k] = Study.spread(rs.stream().filter(r -> r.point().mode() == mode && x.apply(r.point()).equals(label)).toList(), y);
                    if (!Double.isNaN(s[m][k][2])) top = Math.max(top, s[m][k][2]);
                }
            }
            return svg(xs, s, top);
        }

        private String svg(List<String> xs, double[][][] s, double top) {
            int w = 960, h = 340, left = 90, right = 150, t = 36, bottom = 58;
            double step = niceStep((top > 0 ? top : 1) / 6);
            double ymax = Math.max(step, Math.ceil(top / step - 1e-9) * step);
            StringBuilder b = new StringBuilder();
            b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(w).append(' ').append(h)
                .append("\" role=\"img\" font-family=\"sans-serif\" font-size=\"13\">\n<title>").append(esc(title)).append("</title>\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
                .append("<text x=\"").append(left).append("\" y=\"22\" font-size=\"15\">").append(esc(title)).append("</text>\n");
            double pw = w - left - right, ph = h - t - bottom;
            for (double v = 0; v <= ymax + 1e-9; v += step) {
                double py = t + ph - v / ymax * ph;
                b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", left, py, w - right, py));
                b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" dy=\"0.32em\">%s</text>%n", left - 8, py, num(v)));
            }
            for (int k = 0; k < xs.size(); k++) {
                double px = left + (k + 0.5) * pw / xs.size();
                b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, h - bottom + 20, esc(xs.get(k))));
            }
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", left, h - bottom, w - right, h - bottom));
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", left, t, left, h - bottom));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", left + pw / 2, h - 14, esc(xTitle)));
            b.append(String.format(Locale.ROOT, "<text transform=\"rotate(-90)\" x=\"%.1f\" y=\"18\" text-anchor=\"middle\">%s</text>%n", -(t + ph / 2), esc(yTitle)));
            for (int m = 0; m < 2; m++) {
                String c = COLOURS[m];
                double off = (m - 0.5) * 10;
                StringBuilder line = new StringBuilder();
                for (int k = 0; k < xs.size(); k++) {
                    double[] v = s[m][k];
                    if (Double.isNaN(v[1])) continue;
                    double px = left + (k + 0.5) * pw / xs.size() + off;
                    double y0 = t + ph - v[0] / ymax * ph, y1 = t + ph - v[1] / ymax * ph, y2 = t + ph - v[2] / ymax * ph;
                    line.append(line.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", px, y1));
                    // whisker: min..max over seeds; dot: median
                    b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>%n", px, y0, px, y2, c));
                    b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>%n", px, y1, c));
                }
                b.append("<polyline fill=\"none\" stroke=\"").append(c).append("\" stroke-width=\"1.5\" points=\"").append(line).append("\"/>\n");
                b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    w - right + 14, t + 10 + m * 22, c, w - right + 34, t + 15 + m * 22, RoutingMode.values()[m].name()));
            }
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\">dot: median over seeds</text>%n", w - right + 10, t + 70));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\">bar: min..max</text>%n", w - right + 10, t + 86));
            return b.append("</svg>\n").toString();
        }
    }

    private static double niceStep(double rough) {
        double mag = Math.pow(10, Math.floor(Math.log10(rough)));
        for (int n : new int[] {1, 2, 5, 10}) if (rough <= n * mag) return n * mag;
        return 10 * mag;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static List<Figure> figures() {
        ToDoubleFunction<StudyResult> coP99 = r -> r.coLocatedP99() / 1000.0;
        return List.of(
            new Figure("isolation-colocated-p99.svg", "isolation", "Co-located healthy owners' p99 latency while party 0 is impaired",
                "impairment of party 0 (256 PASIDs/device, 16 owners/device, load 0.5)", p -> p.impairment().name(), "p99 latency (ms)", coP99),
            new Figure("isolation-colocated-timeouts.svg", "isolation", "Co-located healthy owners' groups answered by timeout",
                "impairment of party 0", p -> p.impairment().name(), "timeouts (groups)", r -> r.coLocatedTimeouts()),
            new Figure("isolation-colocated-throughput.svg", "isolation", "Co-located healthy owners' throughput while party 0 is impaired",
                "impairment of party 0", p -> p.impairment().name(), "groups/s answered by the owners", StudyResult::coLocatedThroughput),
            new Figure("isolation-remote-p99.svg", "isolation", "Owners of the other device: p99 latency",
                "impairment of party 0", p -> p.impairment().name(), "p99 latency (ms)", r -> r.remoteP99() / 1000.0),
            new Figure("pasids-colocated-p99.svg", "pasids", "Party 0 hung: co-located owners' p99 vs PASIDs per device",
                "PASIDs per device (owners per device = min(PASIDs, 16))", p -> Integer.toString(p.pasidsPerDevice()), "p99 latency (ms)", coP99),
            new Figure("owners-colocated-p99.svg", "owners", "Party 0 hung: co-located owners' p99 vs owners per device",
                "owners per device (256 PASIDs per device)", p -> Integer.toString(p.ownersPerDevice()), "p99 latency (ms)", coP99),
            new Figure("owners-colocated-timeouts.svg", "owners", "Party 0 hung: co-located owners' timeouts vs owners per device",
                "owners per device (256 PASIDs per device)", p -> Integer.toString(p.ownersPerDevice()), "timeouts (groups)", r -> r.coLocatedTimeouts()),
            new Figure("slow-jain.svg", "slow", "Fairness: Jain's index over owners' throughput vs share of slow (2x) owners",
                "share of slow owners (load 0.4)", p -> String.format(Locale.ROOT, "%.2f", p.slowShare()), "Jain's index", StudyResult::jain),
            new Figure("slow-p99.svg", "slow", "All groups: p99 latency vs share of slow (2x) owners",
                "share of slow owners (load 0.4)", p -> String.format(Locale.ROOT, "%.2f", p.slowShare()), "p99 latency (ms)", r -> r.p99() / 1000.0),
            new Figure("load-p99.svg", "load", "All groups: p99 latency vs offered load",
                "offered load (fraction of each owner's service capacity)", p -> String.format(Locale.ROOT, "%.2f", p.load()), "p99 latency (ms)", r -> r.p99() / 1000.0),
            new Figure("load-throughput.svg", "load", "Throughput vs offered load",
                "offered load (fraction of each owner's service capacity)", p -> String.format(Locale.ROOT, "%.2f", p.load()), "completed groups/s", StudyResult::throughputPerSec),
            new Figure("guests-colocated-p99.svg", "guests", "Host processes and guests behind a vIOMMU: co-located p99",
                "impairment of party 0", p -> p.impairment().name(), "p99 latency (ms)", coP99),
            new Figure("stalls-colocated-p99.svg", "stalls", "Stalling device 0 (SMMUv3 stall model): co-located owners' p99",
                "impairment of party 0, an owner on the stalling device", p -> p.impairment().name(), "p99 latency (ms)", coP99),
            new Figure("stalls-colocated-timeouts.svg", "stalls", "Stalling device 0: co-located owners' stalls aborted by timeout",
                "impairment of party 0, an owner on the stalling device", p -> p.impairment().name(), "timeouts (stalls)", r -> r.coLocatedTimeouts()));
    }

    static String markdown(Study.Plan plan, List<StudyResult> rs) {
        StringBuilder b = new StringBuilder();
        b.append("<!-- generated by `faultfabric study");
        if (plan.name().equals("quick")) b.append(" --quick");
        b.append("`; do not edit by hand -->\n\n");
        b.append(String.format(Locale.ROOT, "Plan `%s`: %d points, seeds %s, %.1f s of load per point at %.0f groups/s offered (Poisson), %d devices "
                + "behind one VT-d unit (the stalls points: one SMMUv3 unit whose device 0 is a stalling platform device, at most as many "
                + "transactions stalled as a PRI device has credits, event queue of " + StudyRun.EVENT_QUEUE_DEPTH + "), "
                + "allocation %d per device, response timeout %d ms, device-owner relay %.0f µs per group, "
                + "slow owners %.0fx, impaired party %.0fx. Machine: %d CPUs, Java %s; 1-minute load average during the points %.1f to %.1f "
                + "(other processes shared the CPUs).%n%n",
            plan.name(), rs.size(), java.util.Arrays.toString(plan.seeds()), plan.duration().toMillis() / 1000.0, plan.ratePerSecond(),
            StudyRun.DEVICES, StudyRun.ALLOCATION, StudyRun.RESPONSE_TIMEOUT.toMillis(), StudyRun.RELAY_NANOS / 1000.0, StudyRun.SLOW_FACTOR,
            StudyRun.IMPAIRED_FACTOR, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
            rs.stream().mapToDouble(StudyResult::systemLoad).min().orElse(Double.NaN), rs.stream().mapToDouble(StudyResult::systemLoad).max().orElse(Double.NaN)));
        b.append("Cells are median [min – max] over seeds. Latencies in ms.\n\n");
        for (Figure f : figures()) b.append("![").append(f.title()).append("](").append(f.file()).append(")\n\n");
        table(b, rs, "isolation", p -> p.impairment().name());
        table(b, rs, "pasids", p -> p.pasidsPerDevice() + " PASIDs/dev");
        table(b, rs, "owners", p -> p.ownersPerDevice() + " owners/dev");
        table(b, rs, "slow", p -> "slow share " + p.slowShare());
        table(b, rs, "load", p -> "load " + p.load());
        table(b, rs, "guests", p -> "guests, " + p.impairment().name());
        table(b, rs, "stalls", p -> "stalling device 0, " + p.impairment().name());
        stallTable(b, rs);
        return b.toString();
    }

    private static void table(StringBuilder b, List<StudyResult> all, String exp, Function<StudyPoint, String> key) {
        List<StudyResult> rs = all.stream().filter(r -> r.point().experiment().equals(exp)).toList();
        if (rs.isEmpty()) return;
        b.append("### ").append(exp).append("\n\n| point | mode | groups/s | p99 | co-located groups/s | co-located p50 | co-located p99 | co-located timeouts | remote p99 | party p99 | Jain | auto answers | PRI disabled | violations |\n")
            .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String k : new LinkedHashSet<>(rs.stream().map(r -> key.apply(r.point())).toList())) {
            for (RoutingMode m : RoutingMode.values()) {
                List<StudyResult> cell = rs.stream().filter(r -> r.point().mode() == m && key.apply(r.point()).equals(k)).toList();
                if (cell.isEmpty()) continue;
                b.append("| ").append(k).append(" | ").append(m).append(" | ").append(c(cell, StudyResult::throughputPerSec, 1, "%.0f"))
                    .append(" | ").append(c(cell, StudyResult::p99, 1000, "%.2f")).append(" | ").append(c(cell, StudyResult::coLocatedThroughput, 1, "%.0f"))
                    .append(" | ").append(c(cell, StudyResult::coLocatedP50, 1000, "%.2f"))
                    .append(" | ").append(c(cell, StudyResult::coLocatedP99, 1000, "%.2f")).append(" | ").append(c(cell, r -> r.coLocatedTimeouts(), 1, "%.0f"))
                    .append(" | ").append(c(cell, StudyResult::remoteP99, 1000, "%.2f")).append(" | ").append(c(cell, StudyResult::partyP99, 1000, "%.2f"))
                    .append(" | ").append(c(cell, StudyResult::jain, 1, "%.3f")).append(" | ").append(c(cell, r -> r.autoTotal(), 1, "%.0f"))
                    .append(" | ").append(c(cell, r -> r.priDisabled(), 1, "%.0f")).append(" | ").append(c(cell, r -> r.violations(), 1, "%.0f")).append(" |\n");
            }
        }
        b.append('\n');
    }

    /** What the stalling device's transactions got: resumes by action, and stalls that waited for room in the event queue. */
    private static void stallTable(StringBuilder b, List<StudyResult> all) {
        List<StudyResult> rs = all.stream().filter(r -> r.point().stalls()).toList();
        if (rs.isEmpty()) return;
        b.append("Stalling device 0's transactions (every stall gets exactly one resume: RETRY for Success, ABORT for Invalid, Failure or a timeout):\n\n")
            .append("| point | mode | stalls | resumes RETRY | resumes ABORT | stalls aborted by timeout (co-located) | waited for event-queue room | violations |\n")
            .append("|---|---|---|---|---|---|---|---|\n");
        for (String k : new LinkedHashSet<>(rs.stream().map(r -> r.point().impairment().name()).toList())) {
            for (RoutingMode m : RoutingMode.values()) {
                List<StudyResult> cell = rs.stream().filter(r -> r.point().mode() == m && r.point().impairment().name().equals(k)).toList();
                if (cell.isEmpty()) continue;
                b.append("| ").append(k).append(" | ").append(m).append(" | ").append(c(cell, r -> r.stalls(), 1, "%.0f"))
                    .append(" | ").append(c(cell, r -> r.resumesRetry(), 1, "%.0f")).append(" | ").append(c(cell, r -> r.resumesAbort(), 1, "%.0f"))
                    .append(" | ").append(c(cell, r -> r.coLocatedTimeouts(), 1, "%.0f")).append(" | ").append(c(cell, r -> r.eventQueueWaits(), 1, "%.0f"))
                    .append(" | ").append(c(cell, r -> r.violations(), 1, "%.0f")).append(" |\n");
            }
        }
        b.append('\n');
    }

    private static String c(List<StudyResult> cell, ToDoubleFunction<StudyResult> f, double div, String fmt) {
        double[] s = Study.spread(cell, f);
        if (Double.isNaN(s[1])) return "–";
        String med = String.format(Locale.ROOT, fmt, s[1] / div);
        if (cell.size() == 1) return med;
        return med + " [" + String.format(Locale.ROOT, fmt, s[0] / div) + " – " + String.format(Locale.ROOT, fmt, s[2] / div) + "]";
    }
}
