package io.faultfabric.loadgen.report;

import static io.faultfabric.loadgen.report.Require.nonNegative;

/**
 * A snapshot of a running load: what the live progress line shows.
 *
 * @param ratePerSec groups completed per second over the last interval
 * @param errors     groups completed with Invalid or Response Failure, plus responses rejected, so far
 */
public record Progress(double elapsedSeconds, double ratePerSec, long completed, long inFlight, long p99Micros, long errors) {
    public Progress {
        nonNegative(elapsedSeconds, "elapsedSeconds");
        nonNegative(ratePerSec, "ratePerSec");
        nonNegative(completed, "completed");
        nonNegative(inFlight, "inFlight");
        nonNegative(p99Micros, "p99Micros");
        nonNegative(errors, "errors");
    }
}
