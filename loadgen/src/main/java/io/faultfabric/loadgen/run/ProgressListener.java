package io.faultfabric.loadgen.run;

/** Receives a runner's progress snapshots; called from the runner's own thread, so it must return quickly. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = progress -> { };

    void onProgress(RunProgress progress);
}
