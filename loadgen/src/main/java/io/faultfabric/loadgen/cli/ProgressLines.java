package io.faultfabric.loadgen.cli;

import io.faultfabric.loadgen.run.ProgressListener;
import io.faultfabric.loadgen.run.RunProgress;

import java.io.PrintWriter;
import java.util.Locale;

/** Prints each progress snapshot as one line. */
final class ProgressLines implements ProgressListener {
    private final PrintWriter out;

    ProgressLines(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void onProgress(RunProgress p) {
        out.printf(Locale.ROOT, "[%6.1fs] rate %,d/s  completed %,d  in flight %,d  p99 %,dus  errors %,d%n",
                p.elapsedSeconds(), Math.round(p.ratePerSec()), p.completed(), p.inFlight(), p.p99Micros(), p.errors());
        out.flush();
    }
}
