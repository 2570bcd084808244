package io.faultfabric.loadgen.scenario;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/** When a run ends: after a duration, after a number of groups issued, or at whichever of the two comes first. */
public record StopCondition(Optional<Duration> duration, OptionalLong groups) {
    public StopCondition {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(groups, "groups");
        if (duration.isEmpty() && groups.isEmpty()) throw new IllegalArgumentException("a stop condition needs a duration, a group count or both");
        duration.ifPresent(d -> {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("duration must be > 0, was " + d);
        });
        if (groups.isPresent() && groups.getAsLong() < 1) throw new IllegalArgumentException("groups must be >= 1, was " + groups.getAsLong());
    }

    public static StopCondition after(Duration duration) { return new StopCondition(Optional.of(duration), OptionalLong.empty()); }

    public static StopCondition afterGroups(long groups) { return new StopCondition(Optional.empty(), OptionalLong.of(groups)); }

    /** Whether a run that has been going for {@code elapsedNanos} and issued {@code issuedGroups} is done. */
    public boolean reached(long elapsedNanos, long issuedGroups) {
        return duration.map(d -> elapsedNanos >= d.toNanos()).orElse(false)
                || (groups.isPresent() && issuedGroups >= groups.getAsLong());
    }

    /** {@code after 5s}, {@code after 1,000 groups}, or both joined by {@code or}. */
    @Override
    public String toString() {
        String byTime = duration.map(d -> "after " + ConfigReader.renderDuration(d)).orElse("");
        String byGroups = groups.isPresent() ? String.format(Locale.ROOT, "after %,d groups", groups.getAsLong()) : "";
        return byTime.isEmpty() ? byGroups : byGroups.isEmpty() ? byTime : byTime + " or " + byGroups;
    }
}
