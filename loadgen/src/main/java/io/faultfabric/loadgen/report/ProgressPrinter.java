package io.faultfabric.loadgen.report;

import java.io.PrintWriter;

/**
 * Prints the progress line at most once a second of the run: rewritten in place with {@code \r} on a terminal, as plain
 * newline-terminated lines otherwise (logs, CI). A snapshot less than a second after the last printed one, by their
 * {@link Progress#elapsedSeconds()}, is skipped.
 *
 * <p>The snapshots' own times are the clock, not the time they arrive: a runner that reports every second must get
 * every line printed, and a second clock read a little later on each call would see some of them arrive a few
 * microseconds short of a second apart and drop them.
 */
public final class ProgressPrinter {
    private static final double MIN_INTERVAL_SECONDS = 1.0;
    /** Far below what the line shows, far above the rounding error of subtracting two elapsed times in seconds. */
    private static final double ROUNDING_ALLOWANCE_SECONDS = 1e-6;

    private final PrintWriter out;
    private final boolean interactive;
    private double lastPrintedSeconds = Double.NEGATIVE_INFINITY;
    private int openLineLength;

    public ProgressPrinter(PrintWriter out, boolean interactive) {
        this.out = Require.nonNull(out, "out");
        this.interactive = interactive;
    }

    /** Prints to {@code out}, which stands for standard output: in place when a console is attached, plain lines otherwise. */
    public static ProgressPrinter forStandardOutput(PrintWriter out) {
        return new ProgressPrinter(out, System.console() != null);
    }

    /** Returns whether the line was printed, false when the last printed snapshot is less than a second older. */
    public synchronized boolean print(Progress progress) {
        String line = ProgressLine.format(progress);
        double elapsed = progress.elapsedSeconds();
        if (elapsed - lastPrintedSeconds < MIN_INTERVAL_SECONDS - ROUNDING_ALLOWANCE_SECONDS) return false;
        lastPrintedSeconds = elapsed;
        if (interactive) {
            // \r only moves the cursor, so blank out whatever a longer previous line left behind
            out.print("\r" + line + " ".repeat(Math.max(0, openLineLength - line.length())));
            openLineLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
        return true;
    }

    /** Ends an in-place line so later output starts on a fresh line; safe to call more than once. */
    public synchronized void finish() {
        if (openLineLength > 0) {
            out.println();
            openLineLength = 0;
        }
        out.flush();
    }
}
