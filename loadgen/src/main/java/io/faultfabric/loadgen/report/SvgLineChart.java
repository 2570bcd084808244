package io.faultfabric.loadgen.report;

import static io.faultfabric.loadgen.report.Html.escape;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/** A single-series line chart rendered as inline SVG; styled by the report's stylesheet through its class names. */
final class SvgLineChart {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 320;
    private static final int LEFT = 78;
    private static final int RIGHT = 44;
    private static final int TOP = 28;
    private static final int BOTTOM = 58;
    private static final int TARGET_TICKS = 6;
    private static final int[] NICE_STEPS = {1, 2, 5, 10};
    private static final double ROUNDING_SLACK = 1e-9;

    record Tick(double at, String label) {}

    record Axis(String title, double min, double max, List<Tick> ticks) {
        /** A linear axis from {@code min}, rounded up past {@code max} to a 1-2-5 step so the ticks land on round values. */
        static Axis linear(String title, double min, double max, DoubleFunction<String> label) {
            // an all-zero series still gets a unit-high axis rather than a degenerate one
            double span = max > min ? max - min : 1;
            double step = niceStep(span / TARGET_TICKS);
            long steps = Math.max(1, (long) Math.ceil(span / step - ROUNDING_SLACK));
            List<Tick> ticks = new ArrayList<>();
            for (long i = 0; i <= steps; i++) ticks.add(new Tick(min + i * step, label.apply(min + i * step)));
            return new Axis(title, min, min + steps * step, ticks);
        }

        private static double niceStep(double rough) {
            double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
            for (int nice : NICE_STEPS) {
                if (rough <= nice * magnitude) return nice * magnitude;
            }
            return NICE_STEPS[NICE_STEPS.length - 1] * magnitude;
        }
    }

    /** A shaded span of the x axis, e.g. the time a fault was active. */
    record Band(double from, double to, String label) {}

    private final String id;
    private final String title;
    private final Axis x;
    private final Axis y;
    private final StringBuilder svg = new StringBuilder();

    SvgLineChart(String id, String title, Axis x, Axis y) {
        this.id = id;
        this.title = title;
        this.x = x;
        this.y = y;
    }

    String render(double[] xs, double[] ys, List<Band> bands) {
        svg.setLength(0);
        svg.append("<svg id=\"").append(id).append("\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(WIDTH).append(' ').append(HEIGHT).append("\" role=\"img\" aria-labelledby=\"").append(id)
                .append("-title\">\n<title id=\"").append(id).append("-title\">").append(escape(title)).append("</title>\n");
        bands.forEach(this::band);
        grid();
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < xs.length; i++) points.append(i == 0 ? "" : " ").append(px(xs[i])).append(',').append(py(ys[i]));
        svg.append("<polyline class=\"series\" points=\"").append(points).append("\"/>\n");
        // a lone sample draws no line, so mark it
        if (xs.length == 1) svg.append("<circle class=\"marker\" cx=\"").append(px(xs[0])).append("\" cy=\"").append(py(ys[0])).append("\" r=\"3\"/>\n");
        axes();
        return svg.append("</svg>\n").toString();
    }

    private void band(Band band) {
        double from = Math.max(band.from(), x.min());
        double to = Math.min(band.to(), x.max());
        if (to < from) return;
        String left = px(from);
        svg.append("<rect class=\"band\" x=\"").append(left).append("\" y=\"").append(TOP)
                .append("\" width=\"").append(fmt(Math.max(1, toX(to) - toX(from)))).append("\" height=\"").append(HEIGHT - TOP - BOTTOM)
                .append("\"/>\n<text class=\"band-label\" x=\"").append(fmt(toX(from) + 4)).append("\" y=\"").append(TOP - 8)
                .append("\">").append(escape(band.label())).append("</text>\n");
    }

    private void grid() {
        svg.append("<g class=\"grid\">\n");
        for (Tick tick : y.ticks()) line(LEFT, py(tick.at()), WIDTH - RIGHT, py(tick.at()));
        for (Tick tick : x.ticks()) line(px(tick.at()), TOP, px(tick.at()), HEIGHT - BOTTOM);
        svg.append("</g>\n");
    }

    private void axes() {
        svg.append("<g class=\"axis\">\n");
        line(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
        line(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
        for (Tick tick : x.ticks()) {
            svg.append("<text class=\"tick-label\" x=\"").append(px(tick.at())).append("\" y=\"").append(HEIGHT - BOTTOM + 20)
                    .append("\" text-anchor=\"middle\">").append(escape(tick.label())).append("</text>\n");
        }
        for (Tick tick : y.ticks()) {
            svg.append("<text class=\"tick-label\" x=\"").append(LEFT - 10).append("\" y=\"").append(py(tick.at()))
                    .append("\" dy=\"0.32em\" text-anchor=\"end\">").append(escape(tick.label())).append("</text>\n");
        }
        svg.append("<text class=\"axis-title\" x=\"").append(fmt((LEFT + WIDTH - RIGHT) / 2.0)).append("\" y=\"").append(HEIGHT - 14)
                .append("\" text-anchor=\"middle\">").append(escape(x.title())).append("</text>\n")
                .append("<text class=\"axis-title\" transform=\"rotate(-90)\" x=\"").append(fmt(-(TOP + HEIGHT - BOTTOM) / 2.0))
                .append("\" y=\"18\" text-anchor=\"middle\">").append(escape(y.title())).append("</text>\n</g>\n");
    }

    private void line(Object x1, Object y1, Object x2, Object y2) {
        svg.append("<line x1=\"").append(x1).append("\" y1=\"").append(y1).append("\" x2=\"").append(x2).append("\" y2=\"").append(y2).append("\"/>\n");
    }

    private double toX(double value) {
        return LEFT + (value - x.min()) / (x.max() - x.min()) * (WIDTH - LEFT - RIGHT);
    }

    private String px(double value) {
        return fmt(toX(value));
    }

    private String py(double value) {
        return fmt(HEIGHT - BOTTOM - (value - y.min()) / (y.max() - y.min()) * (HEIGHT - TOP - BOTTOM));
    }

    private static String fmt(double coordinate) {
        return String.format(Locale.ROOT, "%.1f", coordinate);
    }
}
