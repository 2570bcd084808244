package io.faultfabric.loadgen.run;

/**
 * A snapshot of a running load, as the live progress line shows it.
 *
 * @param ratePerSec groups completed per second over the last interval
 * @param errors     groups completed with Invalid or Response Failure, plus responses rejected, so far
 */
public record RunProgress(double elapsedSeconds, double ratePerSec, long completed, long inFlight, long p99Micros, long errors) {}
