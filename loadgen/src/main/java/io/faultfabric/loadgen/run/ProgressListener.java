package io.faultfabric.loadgen.run;

import io.faultfabric.loadgen.report.Progress;

/**
 * Receives a runner's progress snapshots, such as {@link io.faultfabric.loadgen.report.ProgressPrinter#print} prints;
 * called from the runner's own thread, so it must return quickly.
 */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = progress -> { };

    void onProgress(Progress progress);
}
