package io.faultfabric.loadgen.report;

import io.faultfabric.loadgen.report.RunReport.TimelinePoint;
import io.faultfabric.loadgen.report.SvgLineChart.Axis;
import io.faultfabric.loadgen.report.SvgLineChart.Band;
import io.faultfabric.loadgen.report.SvgLineChart.Tick;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/** The report's two charts, or a visible "no data" note when the run recorded nothing to draw. */
final class ReportCharts {
    static final String THROUGHPUT_ID = "throughput-chart";
    static final String LATENCY_ID = "latency-chart";
    /** The percentile axis always reaches 99.99%, further when the sample count resolves more nines. */
    private static final int MIN_PERCENTILE_DECADES = 4;
    private static final int PERCENTILE_TICKS_PER_HALF_DISTANCE = 5;
    private static final double PERCENT = 100.0;

    private ReportCharts() {}

    static String throughput(RunReport report) {
        List<TimelinePoint> timeline = report.timeline();
        if (timeline.isEmpty()) return noData("No timeline points were recorded, so there is no throughput to plot.");
        double[] seconds = timeline.stream().mapToDouble(TimelinePoint::tSeconds).toArray();
        double[] rates = timeline.stream().mapToDouble(TimelinePoint::completedPerSec).toArray();
        Axis x = Axis.linear("Elapsed time (s)", 0, Math.max(report.durationSeconds(), max(seconds)), Format::compact);
        Axis y = Axis.linear("Completed groups per second", 0, max(rates), Format::compact);
        List<Band> faults = report.faultsInjected().stream()
                .map(fault -> new Band(fault.startSeconds(), fault.endSeconds(), fault.name())).toList();
        return new SvgLineChart(THROUGHPUT_ID, "Throughput over time: completed groups per second", x, y)
                .render(seconds, rates, faults);
    }

    /** HdrHistogram's percentile-distribution plot: x is log10(1 / (1 - p)), so each decade of x adds a nine. */
    static String latency(RunReport report) {
        Histogram micros = report.latency();
        if (micros.getTotalCount() == 0) return noData("No latency samples were recorded, so there is no distribution to plot.");
        int decades = Math.max(MIN_PERCENTILE_DECADES, (int) Math.ceil(Math.log10(micros.getTotalCount())));
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (HistogramIterationValue value : micros.percentiles(PERCENTILE_TICKS_PER_HALF_DISTANCE)) {
            double remaining = 1 - value.getPercentileLevelIteratedTo() / PERCENT;
            // the 100th percentile sits at infinity; pin it to the right edge
            xs.add(remaining <= 0 ? decades : Math.min(decades, Math.log10(1 / remaining)));
            ys.add((double) value.getValueIteratedTo());
        }
        List<Tick> ticks = new ArrayList<>();
        for (int nines = 0; nines <= decades; nines++) ticks.add(new Tick(nines, percentileLabel(nines)));
        Axis x = new Axis("Percentile", 0, decades, ticks);
        Axis y = Axis.linear("Latency (µs)", 0, micros.getMaxValue(), Format::compact);
        return new SvgLineChart(LATENCY_ID, "Latency by percentile, in microseconds", x, y)
                .render(unbox(xs), unbox(ys), List.of());
    }

    /** 0 nines is "0%", 1 is "90%", 3 is "99.9%". */
    static String percentileLabel(int nines) {
        return BigDecimal.ONE.subtract(BigDecimal.ONE.movePointLeft(nines)).movePointRight(2)
                .stripTrailingZeros().toPlainString() + "%";
    }

    private static String noData(String why) {
        return "<p class=\"no-data\">No data. " + Html.escape(why) + "</p>\n";
    }

    private static double max(double[] values) {
        double max = 0;
        for (double value : values) max = Math.max(max, value);
        return max;
    }

    private static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
