package io.faultfabric.loadgen.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Argument checks that name the offending argument, shared by the report records. */
final class Require {
    private Require() {}

    static <T> T nonNull(T value, String name) {
        if (value == null) throw new IllegalArgumentException(name + " must not be null");
        return value;
    }

    static long nonNegative(long value, String name) {
        if (value < 0) throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        return value;
    }

    static double nonNegative(double value, String name) {
        // NaN and infinity fail too: they cannot be written as JSON numbers
        if (!(Double.isFinite(value) && value >= 0)) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, was " + value);
        }
        return value;
    }

    static <T> List<T> list(List<T> values, String name) {
        nonNull(values, name);
        for (int i = 0; i < values.size(); i++) nonNull(values.get(i), name + "[" + i + "]");
        return List.copyOf(values);
    }

    /** An unmodifiable copy that keeps the caller's iteration order. */
    static Map<String, Long> counts(Map<String, Long> counts, String name) {
        nonNull(counts, name);
        Map<String, Long> copy = new LinkedHashMap<>();
        counts.forEach((key, count) -> {
            nonNull(key, name + " key");
            copy.put(key, nonNegative(nonNull(count, name + "[" + key + "]"), name + "[" + key + "]"));
        });
        return Collections.unmodifiableMap(copy);
    }

    static Map<String, List<String>> lists(Map<String, List<String>> lists, String name) {
        nonNull(lists, name);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        lists.forEach((key, values) -> copy.put(nonNull(key, name + " key"), list(values, name + "[" + key + "]")));
        return Collections.unmodifiableMap(copy);
    }
}
