package io.faultfabric.loadgen.report;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Prints the progress line at most once a second: rewritten in place with {@code \r} on a terminal, as plain
 * newline-terminated lines otherwise (logs, CI). Calls closer than a second to the last printed line are ignored.
 */
public final class ProgressPrinter {
    private static final long MIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final PrintStream out;
    private final boolean interactive;
    private final LongSupplier nanoTime;
    private boolean printedBefore;
    private long lastPrintNanos;
    private int openLineLength;

    public ProgressPrinter(PrintStream out, boolean interactive, LongSupplier nanoTime) {
        this.out = Require.nonNull(out, "out");
        this.interactive = interactive;
        this.nanoTime = Require.nonNull(nanoTime, "nanoTime");
    }

    /** Prints to standard output, in place when a console is attached. */
    public static ProgressPrinter toStandardOutput() {
        return new ProgressPrinter(System.out, System.console() != null, System::nanoTime);
    }

    /** Returns whether the line was printed, false when the last one was printed less than a second ago. */
    public synchronized boolean print(Progress progress) {
        String line = ProgressLine.format(progress);
        long now = nanoTime.getAsLong();
        // subtract, never compare raw nanoTime values: they may overflow
        if (printedBefore && now - lastPrintNanos < MIN_INTERVAL_NANOS) return false;
        printedBefore = true;
        lastPrintNanos = now;
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
