package io.faultfabric.loadgen.scenario;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One failure to inject, as the scenario states it: a kind (e.g. {@code OwnerHang}) and its schedule and extent.
 * Only the shape is checked here; which kinds exist and which parameters each needs is the injector's business.
 *
 * @param at          when it first strikes, from the start of the run
 * @param every       how often it strikes again
 * @param probability per-event chance, for kinds that act on single messages (drop, duplicate)
 * @param fraction    share of the targets (owners, devices) it hits
 * @param duration    how long each strike lasts
 */
public record FaultSpec(String kind, Optional<Duration> at, Optional<Duration> every, OptionalDouble probability,
                        OptionalDouble fraction, Optional<Duration> duration) {
    /** A fault kind is named like a Java type: {@code OwnerHang}, {@code PrqOverflowStorm}. */
    public static final String KIND_PATTERN = "[A-Z][A-Za-z0-9]*";

    public FaultSpec {
        Objects.requireNonNull(kind, "kind");
        if (!kind.matches(KIND_PATTERN)) throw new IllegalArgumentException("kind must be a name like OwnerHang, was \"" + kind + "\"");
        Objects.requireNonNull(at, "at").ifPresent(d -> notNegative(d, "at"));
        Objects.requireNonNull(every, "every").ifPresent(d -> positive(d, "every"));
        Objects.requireNonNull(duration, "duration").ifPresent(d -> positive(d, "duration"));
        unitInterval(Objects.requireNonNull(probability, "probability"), "probability");
        unitInterval(Objects.requireNonNull(fraction, "fraction"), "fraction");
    }

    private static void notNegative(Duration d, String name) {
        if (d.isNegative()) throw new IllegalArgumentException(name + " must be >= 0, was " + d);
    }

    private static void positive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be > 0, was " + d);
    }

    private static void unitInterval(OptionalDouble v, String name) {
        if (v.isPresent() && !(v.getAsDouble() >= 0 && v.getAsDouble() <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], was " + v.getAsDouble());
        }
    }
}
