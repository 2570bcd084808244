package io.faultfabric.loadgen.report;

import static io.faultfabric.loadgen.report.Format.count;

import java.util.Locale;

/** Formats the live progress line, e.g. {@code [  12.0s] rate 1,234,567/s  completed 14,812,345  in flight 4,096  p99 37µs  errors 0}. */
public final class ProgressLine {
    private ProgressLine() {}

    public static String format(Progress progress) {
        Require.nonNull(progress, "progress");
        return String.format(Locale.ROOT, "[%6.1fs] rate %s/s  completed %s  in flight %s  p99 %sµs  errors %s",
                progress.elapsedSeconds(), count(Math.round(progress.ratePerSec())), count(progress.completed()),
                count(progress.inFlight()), count(progress.p99Micros()), count(progress.errors()));
    }
}
