package io.faultfabric.loadgen.scenario;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads a config tree strictly and keeps going after a problem, so that every problem is reported at once. Each
 * {@link Node} remembers the keys it was asked for; {@link Node#finish()} reports the others as unknown. A getter
 * that finds a problem records it and returns null, so callers build a value only when all its parts are there.
 */
final class ConfigReader {
    private final List<String> errors = new ArrayList<>();

    List<String> errors() {
        return errors;
    }

    void error(String path, String message) {
        errors.add(path + ": " + message);
    }

    /** A problem whose message names its key path itself. */
    void problem(String message) {
        errors.add(message);
    }

    void error(String path, ConfigValue value, String expected) {
        errors.add(path + " = " + render(value) + ": " + expected);
    }

    Node root(ConfigObject object) {
        return new Node("", object);
    }

    static String render(ConfigValue value) {
        return value.render(ConfigRenderOptions.concise());
    }

    /** A duration in the HOCON spelling, with the largest unit that keeps it whole: {@code 5s}, {@code 200ms}, {@code 20us}. */
    static String renderDuration(Duration d) {
        long nanos = d.toNanos();
        if (nanos % 1_000_000_000L == 0) return nanos / 1_000_000_000L + "s";
        if (nanos % 1_000_000L == 0) return nanos / 1_000_000L + "ms";
        if (nanos % 1_000L == 0) return nanos / 1_000L + "us";
        return nanos + "ns";
    }

    final class Node {
        private final String path;
        private final ConfigObject object;
        private final Set<String> known = new LinkedHashSet<>();

        Node(String path, ConfigObject object) {
            this.path = path;
            this.object = object;
        }

        String path() {
            return path;
        }

        String path(String key) {
            String quoted = ConfigUtil.joinPath(key);
            return path.isEmpty() ? quoted : path + "." + quoted;
        }

        /** The value at {@code key}, or null when it is absent or null; either way the key is known. */
        ConfigValue value(String key) {
            known.add(key);
            ConfigValue v = object.get(key);
            return v == null || v.valueType() == ConfigValueType.NULL ? null : v;
        }

        boolean has(String key) {
            return value(key) != null;
        }

        Set<String> keys() {
            return new TreeSet<>(object.keySet());
        }

        private ConfigValue required(String key, String expected) {
            ConfigValue v = value(key);
            if (v == null) error(path(key), "missing; expected " + expected);
            return v;
        }

        Node node(String key) {
            ConfigValue v = required(key, "an object { ... }");
            if (v == null) return null;
            if (v.valueType() != ConfigValueType.OBJECT) {
                error(path(key), v, "expected an object { ... }");
                return null;
            }
            return new Node(path(key), (ConfigObject) v);
        }

        String string(String key) {
            ConfigValue v = required(key, "a string");
            if (v == null) return null;
            if (v.valueType() != ConfigValueType.STRING) {
                error(path(key), v, "expected a string");
                return null;
            }
            return (String) v.unwrapped();
        }

        Long whole(String key, long min, long max) {
            return whole(path(key), required(key, wholeExpectation(min, max)), min, max);
        }

        Long whole(String at, ConfigValue v, long min, long max) {
            if (v == null) return null;
            BigDecimal n = v.valueType() == ConfigValueType.NUMBER ? new BigDecimal(v.unwrapped().toString()) : null;
            boolean whole = n != null && n.stripTrailingZeros().scale() <= 0;
            if (!whole || n.compareTo(BigDecimal.valueOf(min)) < 0 || n.compareTo(BigDecimal.valueOf(max)) > 0) {
                error(at, v, "expected " + wholeExpectation(min, max));
                return null;
            }
            return n.longValueExact();
        }

        Integer integer(String key, int min, int max) {
            Long v = whole(key, min, max);
            return v == null ? null : v.intValue();
        }

        /** A finite number in {@code [min, max]}, or in {@code (min, max]} when {@code minExclusive}. */
        Double number(String key, double min, boolean minExclusive, double max, String what) {
            String expected = "expected " + numberExpectation(min, minExclusive, max) + (what.isEmpty() ? "" : " (" + what + ")");
            return number(path(key), required(key, expected.substring("expected ".length())), min, minExclusive, max, expected);
        }

        private Double number(String at, ConfigValue v, double min, boolean minExclusive, double max, String expected) {
            if (v == null) return null;
            if (v.valueType() != ConfigValueType.NUMBER) {
                error(at, v, expected);
                return null;
            }
            double d = ((Number) v.unwrapped()).doubleValue();
            if (!Double.isFinite(d) || d < min || (minExclusive && d == min) || d > max) {
                error(at, v, expected);
                return null;
            }
            return d;
        }

        Double optionalNumber(String key, double min, double max) {
            ConfigValue v = value(key);
            return v == null ? null : number(path(key), v, min, false, max, "expected " + numberExpectation(min, false, max));
        }

        /** A duration with its unit; a bare number is refused because HOCON would read it as milliseconds. */
        Duration duration(String key, boolean allowZero) {
            return duration(path(key), required(key, "a duration such as 500ms"), allowZero);
        }

        Duration optionalDuration(String key, boolean allowZero) {
            ConfigValue v = value(key);
            return v == null ? null : duration(path(key), v, allowZero);
        }

        private Duration duration(String at, ConfigValue v, boolean allowZero) {
            String expected = "expected a duration " + (allowZero ? ">= 0" : "> 0") + " with a unit, e.g. 20us, 500ms, 10s or 2m";
            if (v.valueType() != ConfigValueType.STRING) {
                error(at, v, expected);
                return null;
            }
            try {
                Duration d = ConfigFactory.empty().withValue("d", v).getDuration("d");
                if (d.isNegative() || (d.isZero() && !allowZero)) {
                    error(at, v, expected);
                    return null;
                }
                return d;
            } catch (ConfigException.BadValue e) {
                error(at, v, expected);
                return null;
            }
        }

        /** One of {@code allowed}, matched without regard to case, returned as {@code allowed} spells it. */
        String choice(String key, List<String> allowed) {
            return choice(path(key), required(key, "one of " + String.join(", ", allowed)), allowed);
        }

        String choice(String at, ConfigValue v, List<String> allowed) {
            if (v == null) return null;
            if (v.valueType() == ConfigValueType.STRING) {
                String s = (String) v.unwrapped();
                for (String a : allowed) if (a.equalsIgnoreCase(s)) return a;
            }
            error(at, v, "expected one of " + String.join(", ", allowed));
            return null;
        }

        <E extends Enum<E>> E enumeration(String key, Class<E> type) {
            String name = choice(key, names(type));
            return name == null ? null : Enum.valueOf(type, name);
        }

        <E extends Enum<E>> E enumeration(String at, ConfigValue v, Class<E> type) {
            String name = choice(at, v, names(type));
            return name == null ? null : Enum.valueOf(type, name);
        }

        /** The elements of a list, or null; an absent list is an error ({@code []} is how a scenario says "none"). */
        List<ConfigValue> list(String key, String of) {
            ConfigValue v = required(key, "a list [ ... ] of " + of);
            if (v == null) return null;
            if (v.valueType() != ConfigValueType.LIST) {
                error(path(key), v, "expected a list [ ... ] of " + of);
                return null;
            }
            return new ArrayList<>((ConfigList) v);
        }

        /** Reports every key of this object that nobody asked for, with the nearest known key when there is one. */
        void finish() {
            for (String key : keys()) {
                if (known.contains(key)) continue;
                error(path(key), "unknown key; " + Suggestions.closest(key, known).map(s -> "did you mean " + s + "?")
                        .orElse(known.isEmpty() ? "this object takes no keys" : "expected one of " + String.join(", ", known)));
            }
        }

        /** Marks every key as known: for an object whose shape could not be decided, so its keys cannot be judged. */
        void skip() {
            known.addAll(object.keySet());
        }
    }

    static <E extends Enum<E>> List<String> names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.toList());
    }

    private static String wholeExpectation(long min, long max) {
        if (max == Long.MAX_VALUE) return min == Long.MIN_VALUE ? "a whole number" : "a whole number >= " + min;
        return "a whole number in " + min + ".." + max;
    }

    private static String numberExpectation(double min, boolean minExclusive, double max) {
        String lo = BigDecimal.valueOf(min).stripTrailingZeros().toPlainString();
        if (max == Double.MAX_VALUE) return "a number " + (minExclusive ? "> " : ">= ") + lo;
        String hi = BigDecimal.valueOf(max).stripTrailingZeros().toPlainString();
        return String.format(Locale.ROOT, "a number in %s%s, %s]", minExclusive ? "(" : "[", lo, hi);
    }
}
