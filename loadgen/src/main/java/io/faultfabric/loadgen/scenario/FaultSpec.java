package io.faultfabric.loadgen.scenario;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One failure to inject and its schedule, as the scenario states it.
 *
 * <p>The fault first strikes {@code at} into the run and again every {@code every} while the load runs; each strike
 * happens with {@code probability} (1: always; for the kinds that act on single messages the per-message chance is the
 * fault's own parameter and this is 1) and hits a seeded {@code fraction} of the fault's targets (absent: one target;
 * for message faults, every owner). A lasting fault holds for {@code duration} (absent: until the load ends), then is
 * healed; an instantaneous one takes no duration.
 */
public record FaultSpec(Fault fault, Duration at, Optional<Duration> every, Optional<Duration> duration, OptionalDouble fraction,
                        double probability) {

    public FaultSpec {
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(at, "at");
        if (at.isNegative()) throw new IllegalArgumentException("at must be >= 0, was " + at);
        Objects.requireNonNull(every, "every").ifPresent(d -> positive(d, "every"));
        Objects.requireNonNull(duration, "duration").ifPresent(d -> positive(d, "duration"));
        Objects.requireNonNull(fraction, "fraction");
        if (fraction.isPresent() && !(fraction.getAsDouble() > 0 && fraction.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1], was " + fraction.getAsDouble());
        }
        if (!(probability >= 0 && probability <= 1)) throw new IllegalArgumentException("probability must be in [0, 1], was " + probability);
        if (duration.isPresent() && !fault.lasting()) {
            throw new IllegalArgumentException(fault.kind() + " happens at an instant; it takes no duration");
        }
        if (fault.perMessage() > 0 && probability != 1) {
            throw new IllegalArgumentException(fault.kind() + " takes its probability per message; every strike happens");
        }
        if (duration.isPresent() && every.isPresent() && duration.get().compareTo(every.get()) >= 0) {
            throw new IllegalArgumentException("duration (" + ConfigReader.renderDuration(duration.get()) + ") must be shorter than every ("
                + ConfigReader.renderDuration(every.get()) + "), so that a strike is healed before the next");
        }
    }

    /** A fault that strikes once, at {@code at}, on one target (message faults: every owner), for as long as it lasts. */
    public static FaultSpec once(Fault fault, Duration at) {
        return new FaultSpec(fault, at, Optional.empty(), Optional.empty(), OptionalDouble.empty(), 1);
    }

    public FaultSpec lasting(Duration d) { return new FaultSpec(fault, at, every, Optional.of(d), fraction, probability); }

    public FaultSpec every(Duration d) { return new FaultSpec(fault, at, Optional.of(d), duration, fraction, probability); }

    public FaultSpec onFraction(double f) { return new FaultSpec(fault, at, every, duration, OptionalDouble.of(f), probability); }

    public String kind() { return fault.kind(); }

    private static void positive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be > 0, was " + d);
    }
}
