package io.faultfabric.loadgen.cli;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

/** Option values that picocli's own converters would accept too loosely. */
final class Converters {
    private Converters() {}

    /** A positive duration in the scenario files' spelling: {@code 30s}, {@code 500ms}, {@code 2m}; a bare number is refused. */
    static final class PositiveDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = parse(value);
            if (d == null || d.isNegative() || d.isZero()) {
                throw new TypeConversionException("'" + value + "' is not a duration; expected a positive duration with a unit, such as 30s, 500ms or 2m");
            }
            return d;
        }
    }

    /** As {@link PositiveDuration}, but 0s (off) is allowed too. */
    static final class NonNegativeDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = parse(value);
            if (d == null || d.isNegative()) {
                throw new TypeConversionException("'" + value + "' is not a duration; expected 0s or a positive duration with a unit, such as 2s or 500ms");
            }
            return d;
        }
    }

    /** A duration with a unit in HOCON's spelling, or null; a bare number (HOCON would read milliseconds) is refused. */
    private static Duration parse(String value) {
        String v = value.strip();
        if (!v.matches(".*[A-Za-z]")) return null;
        try {
            return ConfigFactory.empty().withValue("d", ConfigValueFactory.fromAnyRef(v)).getDuration("d");
        } catch (ConfigException e) {
            return null;
        }
    }

    static final class PositiveLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                long n = Long.parseLong(value.strip().replace("_", ""));
                if (n >= 1) return n;
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
            throw new TypeConversionException("'" + value + "' is not a whole number >= 1");
        }
    }
}
