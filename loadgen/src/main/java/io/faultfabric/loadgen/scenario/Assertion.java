package io.faultfabric.loadgen.scenario;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A check on the run summary that decides the exit code, as in Gatling: a metric (see {@link Metrics}) compared with
 * a number, e.g. {@code p99Micros < 500} or {@code outcomes.auto.TIMEOUT <= 10}.
 *
 * @param expression the assertion as the scenario states it
 */
public record Assertion(String expression, String metric, Comparison comparison, double threshold) {
    private static final Pattern SYNTAX = Pattern.compile(
            "\\s*([A-Za-z][A-Za-z0-9_.]*)\\s*(==|!=|<=|>=|<|>)\\s*([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?)\\s*");

    public enum Comparison {
        EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        private final String symbol;

        Comparison(String symbol) { this.symbol = symbol; }

        public String symbol() { return symbol; }

        public boolean test(double actual, double threshold) {
            switch (this) {
                case EQ: return actual == threshold;
                case NE: return actual != threshold;
                case LT: return actual < threshold;
                case LE: return actual <= threshold;
                case GT: return actual > threshold;
                default: return actual >= threshold;
            }
        }

        static Comparison of(String symbol) {
            return Arrays.stream(values()).filter(c -> c.symbol.equals(symbol)).findFirst().orElseThrow();
        }
    }

    public Assertion {
        Objects.requireNonNull(expression, "expression");
        Objects.requireNonNull(comparison, "comparison");
        if (!Metrics.known(Objects.requireNonNull(metric, "metric"))) throw new IllegalArgumentException(unknownMetric(metric));
        if (!Double.isFinite(threshold)) throw new IllegalArgumentException("threshold must be a finite number, was " + threshold);
    }

    /** Parses {@code <metric> <op> <number>}; the message of the exception says what is wrong and what is allowed. */
    public static Assertion parse(String expression) {
        Matcher m = SYNTAX.matcher(expression);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected <metric> <comparison> <number>, e.g. \"p99Micros < 500\"; comparisons are == != < <= > >=");
        }
        String metric = m.group(1);
        if (!Metrics.known(metric)) throw new IllegalArgumentException(unknownMetric(metric));
        double threshold = Double.parseDouble(m.group(3));
        if (!Double.isFinite(threshold)) throw new IllegalArgumentException("the number " + m.group(3) + " is out of range");
        return new Assertion(expression.trim(), metric, Comparison.of(m.group(2)), threshold);
    }

    public boolean holds(double actual) {
        return comparison.test(actual, threshold);
    }

    private static String unknownMetric(String metric) {
        return "unknown metric " + metric + Suggestions.closest(metric, Metrics.ALL).map(s -> "; did you mean " + s + "?")
                .orElse("; metrics are " + String.join(", ", Metrics.SUMMARY) + ", outcomes.<outcome> and violations.<INVARIANT>");
    }

    @Override
    public String toString() {
        return expression;
    }
}
