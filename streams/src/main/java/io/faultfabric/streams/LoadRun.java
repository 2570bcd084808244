package io.faultfabric.streams;

import io.faultfabric.engine.workload.LoadProfile;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Drives a fabric with seeded faults: one ticket stream per device, each carrying that device's
 * share of the load profile, until a group count or a deadline. Completes when every device has
 * issued its share; {@link #stop()} ends it early.
 */
public final class LoadRun {
    private final SharedKillSwitch kill = KillSwitches.shared("faultfabric-load");
    private final CompletableFuture<Done> done;
    private final long startNanos;

    private LoadRun(CompletableFuture<Done> done, long startNanos) {
        this.done = done;
        this.startNanos = startNanos;
    }

    /**
     * @param groups   groups to issue in all (split evenly over the devices), or Long.MAX_VALUE for no limit
     * @param duration how long to issue for, or null for no deadline (then {@code groups} must be finite); tickets a
     *                 device has not issued by then are dropped, even those already in the stream's buffers
     */
    public static LoadRun start(FaultFabric fabric, ActorSystem<?> system, LoadProfile profile, long seed, long groups, Duration duration) {
        if (groups < 1) throw new IllegalArgumentException("groups must be >= 1, was " + groups);
        if (duration == null && groups == Long.MAX_VALUE) throw new IllegalArgumentException("a load run needs a group count, a duration, or both");
        if (duration != null && (duration.isNegative() || duration.isZero())) throw new IllegalArgumentException("duration must be positive, was " + duration);
        int n = fabric.topology().deviceCount();
        long start = System.nanoTime();
        long deadline = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
        int maxOutstanding = profile instanceof LoadProfile.Closed c ? c.concurrency() : Integer.MAX_VALUE;
        LoadRun run = new LoadRun(new CompletableFuture<>(), start);
        List<CompletableFuture<Done>> all = new ArrayList<>(n);
        for (int d = 0; d < n; d++) {
            long share = groups == Long.MAX_VALUE ? Long.MAX_VALUE : groups / n + (d < groups % n ? 1 : 0);
            if (share == 0) continue;
            var tickets = fabric.tickets(d, profile, seed, start, share, deadline);
            if (duration != null && profile instanceof LoadProfile.Closed) {
                tickets = tickets.takeWithin(duration);
            }
            // done when the device has issued what the stream gave it, not when the stream ends: its last tickets may
            // still wait in the sink and at the device then. The devices stop at the deadline too.
            var graph = tickets.via(run.kill.flow())
                .toMat(fabric.faultTickets(d, maxOutstanding, deadline), Keep.right()); // Long.MAX_VALUE is Device.NO_DEADLINE
            if (profile.open()) {
                // paced streams on the data plane's threads: on the default dispatcher (8 threads at least) their releases
                // woke threads that preempted the data plane's two, and the in-engine p50 was 230-280 us instead of 8-16 us.
                // Closed-model streams are not paced and stay where they were.
                graph = graph.withAttributes(ActorAttributes.dispatcher(fabric.settings().dispatcher()));
            }
            all.add(graph
                .run(system)
                .toCompletableFuture());
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
            .whenComplete((x, err) -> {
                if (err != null) run.done.completeExceptionally(err);
                else run.done.complete(Done.getInstance());
            });
        return run;
    }

    /** Completes when every device's ticket stream has ended and the device has issued (or, past the deadline, dropped) its tickets. */
    public CompletionStage<Done> completion() { return done; }

    public long startNanos() { return startNanos; }

    /**
     * Ends every ticket stream now; groups already issued are still answered, and the tickets a device already holds
     * (in its sink's buffer, or taken) are still issued.
     */
    public void stop() { kill.shutdown(); }

    /** Waits, polling snapshots, until no group is outstanding or {@code timeout} passes; returns the last snapshot. */
    public static CompletionStage<FabricSnapshot> awaitQuiet(FaultFabric fabric, ActorSystem<?> system, Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        return poll(fabric, system, until);
    }

    private static CompletionStage<FabricSnapshot> poll(FaultFabric fabric, ActorSystem<?> system, long until) {
        return fabric.snapshot().thenCompose(s -> {
            if (s.outstandingGroups() == 0 || System.nanoTime() > until) return CompletableFuture.completedFuture(s);
            return org.apache.pekko.pattern.Patterns.after(Duration.ofMillis(20), system.classicSystem().scheduler(),
                system.executionContext(), () -> poll(fabric, system, until));
        });
    }
}
