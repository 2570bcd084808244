package io.faultfabric.loadgen.run;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The command line's one way to wait for the fabric: at the edge of a run, never inside an actor or a stream. */
public final class Blocking {
    private Blocking() {}

    /**
     * The stage's value, waiting at most {@code timeout}; a failed stage throws its cause's message, a stage still
     * pending after {@code timeout} says so.
     */
    public static <T> T await(CompletionStage<T> stage, Duration timeout) {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the fabric did not answer within " + timeout, e);
        }
    }
}
