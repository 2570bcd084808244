package io.faultfabric.streams;

import io.faultfabric.actors.ServiceClock;
import io.faultfabric.engine.workload.LoadProfile;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

import java.util.Arrays;

/**
 * Fault tickets for one device: arrays of intended issue times.
 *
 * <p>Open model: a device releases its due tickets at its own release points, {@code start + phase + k * quantum},
 * woken by a precise clock (the fabric's service clock), not by the actor system's scheduler. Each device has its own
 * phase (the fabric spreads them evenly over the quantum), so the devices' releases are staggered: with one shared
 * scheduler tick every device released its tickets at the same instant, and the fabric saw all of them as one burst.
 * A release carries every ticket due by then (at most {@code maxBatch}); a ticket is released at the first release
 * point at or after its intended time, so never early and at most a quantum late when the device keeps up. A device
 * that cannot keep up falls behind its schedule and the lag shows as latency (intended times are kept), not as fewer
 * faults, until the deadline, when issuing stops.
 *
 * <p>Closed model: tickets with time 0 ("now") as fast as the device takes them.
 */
final class Pacer {
    private Pacer() {}

    /** Where open-model pacing takes the time and its wake-ups from: the fabric's service clock, or a test's clock. */
    interface Clock {
        /** Now, on the scale of System.nanoTime (the schedule's start and deadline are on it). */
        long nanoTime();

        /** Runs {@code wake} after {@code delayNanos}; {@code wake} is short and does not block (an async callback). */
        void wakeAfter(long delayNanos, Runnable wake);

        static Clock of(ServiceClock clock) {
            return new Clock() {
                @Override public long nanoTime() { return System.nanoTime(); }
                @Override public void wakeAfter(long delayNanos, Runnable wake) { clock.runAfter(delayNanos, wake); }
            };
        }
    }

    /**
     * @param startNanos   System.nanoTime of the run's start
     * @param limit        tickets in all for this device (Long.MAX_VALUE: until the deadline)
     * @param deadline     System.nanoTime after which no ticket is released
     * @param quantumNanos time between two release points of the device
     * @param phaseNanos   the device's first release point after the start, in [0, quantum)
     */
    static Source<long[], NotUsed> open(LoadProfile.Schedule schedule, long startNanos, long limit, long deadline,
                                        long quantumNanos, long phaseNanos, int maxBatch, Clock clock) {
        Releases releases = new Releases(schedule, startNanos, limit, deadline, quantumNanos, phaseNanos, maxBatch);
        return Source.fromGraph(new Stage(releases, clock));
    }

    /** Device {@code device}'s phase: the devices' first release points spread evenly over the quantum. */
    static long phase(int device, int devices, long quantumNanos) {
        if (devices < 1 || device < 0 || device >= devices) throw new IllegalArgumentException("device must be 0.." + (devices - 1) + ", was " + device);
        return quantumNanos * device / devices; // a quantum is milliseconds and devices thousands at most: no overflow
    }

    static Source<long[], NotUsed> closed(long limit, int batch) {
        long[] now = new long[batch];
        long full = limit / batch;
        int rest = (int) (limit % batch);
        Source<long[], NotUsed> s = Source.repeat(now).take(full);
        return rest == 0 ? s : s.concat(Source.single(new long[rest]));
    }

    /** The release rule of one device's open-model tickets, apart from any stream or clock. */
    static final class Releases {
        private final LoadProfile.Schedule schedule;
        private final long start;
        private final long deadline;
        private final long quantum;
        private final long firstPoint;
        private final long[] scratch;
        private long left;
        private long next;

        Releases(LoadProfile.Schedule schedule, long start, long limit, long deadline, long quantum, long phase, int maxBatch) {
            if (quantum < 1) throw new IllegalArgumentException("quantum must be >= 1 ns, was " + quantum);
            if (phase < 0 || phase >= quantum) throw new IllegalArgumentException("phase must be in [0, " + quantum + ") ns, was " + phase);
            if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
            if (limit < 1) throw new IllegalArgumentException("limit must be >= 1, was " + limit);
            this.schedule = schedule;
            this.start = start;
            this.deadline = deadline;
            this.quantum = quantum;
            this.firstPoint = start + phase;
            this.scratch = new long[maxBatch];
            this.left = limit;
            this.next = start + schedule.next();
        }

        /** No ticket is left to release: the limit is reached, the next ticket is past the deadline, or now is. */
        boolean done(long now) {
            // a duration ends issuing at the deadline, as a load generator stops sending: tickets not yet sent are not owed
            return left == 0 || next > deadline || now > deadline;
        }

        /** The latest release point at or before {@code t}. */
        long pointAtOrBefore(long t) {
            return firstPoint + Math.floorDiv(t - firstPoint, quantum) * quantum;
        }

        /** The first release point at or after {@code t}. */
        long pointAtOrAfter(long t) {
            return firstPoint - Math.floorDiv(firstPoint - t, quantum) * quantum;
        }

        /** Whether a ticket is due by the latest release point, so that {@link #take} releases something now. */
        boolean releasable(long now) {
            return next <= pointAtOrBefore(now);
        }

        /** When the next ticket is released, if the device is keeping up: the first release point at or after its time. */
        long nextRelease() {
            return pointAtOrAfter(next);
        }

        /** The tickets due by {@code now} and not past the deadline, oldest first, at most maxBatch, in an array of their own. */
        long[] take(long now) {
            int n = 0;
            while (n < scratch.length && left > 0 && next <= now && next <= deadline) {
                scratch[n++] = next;
                left--;
                next = start + schedule.next();
            }
            return Arrays.copyOf(scratch, n);
        }
    }

    /** Releases on demand what is due, else asks the clock to wake it at the next release point. */
    private static final class Stage extends GraphStage<SourceShape<long[]>> {
        private final Outlet<long[]> out = Outlet.create("Pacer.tickets");
        private final SourceShape<long[]> shape = SourceShape.of(out);
        private final Releases releases;
        private final Clock clock;

        Stage(Releases releases, Clock clock) {
            this.releases = releases;
            this.clock = clock;
        }

        @Override
        public SourceShape<long[]> shape() { return shape; }

        @Override
        public GraphStageLogic createLogic(Attributes inheritedAttributes) {
            return new GraphStageLogic(shape) {
                private boolean wakePending;
                private Runnable wake;

                {
                    setHandler(out, new AbstractOutHandler() {
                        @Override
                        public void onPull() { release(); }
                    });
                }

                @Override
                public void preStart() {
                    AsyncCallback<Boolean> woken = createAsyncCallback(x -> {
                        wakePending = false;
                        if (isAvailable(out)) release(); // else the next pull releases what is due by then
                    });
                    wake = () -> woken.invoke(Boolean.TRUE);
                }

                private void release() {
                    long now = clock.nanoTime();
                    if (releases.done(now)) {
                        completeStage();
                    } else if (releases.releasable(now)) {
                        push(out, releases.take(now));
                    } else if (!wakePending) {
                        // one wake at a time: tickets only move later, and a wake that finds nothing due asks for the next
                        wakePending = true;
                        clock.wakeAfter(releases.nextRelease() - now, wake);
                    }
                }
            };
        }
    }
}
