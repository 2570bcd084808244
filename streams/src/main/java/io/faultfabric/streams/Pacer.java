package io.faultfabric.streams;

import io.faultfabric.engine.workload.LoadProfile;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;

import java.time.Duration;
import java.util.Arrays;

/**
 * Fault tickets for one device: arrays of intended issue times. Open model: a tick every
 * {@code interval} emits the tickets due since the last one (at most {@code maxBatch}; a device that
 * cannot keep up falls behind its schedule and the lag shows as latency, not as fewer faults, until
 * the deadline, when issuing stops).
 * Closed model: tickets with time 0 ("now") as fast as the device takes them.
 */
final class Pacer {
    private static final long[] NONE = new long[0];
    /** Marks the end of the schedule (streams carry no nulls). */
    private static final long[] DONE = new long[0];

    private Pacer() {}

    /**
     * @param startNanos System.nanoTime of the run's start
     * @param limit      tickets in all for this device (Long.MAX_VALUE: until the deadline)
     * @param deadline   System.nanoTime after which no ticket is issued
     */
    static Source<long[], NotUsed> open(LoadProfile.Schedule schedule, long startNanos, long limit, long deadline,
                                        Duration interval, int maxBatch) {
        return Source.tick(Duration.ZERO, interval, Boolean.TRUE)
            .mapMaterializedValue(c -> NotUsed.getInstance())
            .statefulMap(() -> new State(schedule, startNanos, limit, deadline), (st, tick) -> Pair.create(st, st.due(maxBatch)),
                st -> java.util.Optional.empty())
            .takeWhile(a -> a != DONE)
            .filter(a -> a.length > 0)
            // one batch ready while the device works through the last: a tick that finds no demand is lost, and the
            // next comes a scheduler tick later; bounded and lossless (the tickets are intended times, not dropped)
            .buffer(2, OverflowStrategy.backpressure());
    }

    static Source<long[], NotUsed> closed(long limit, int batch) {
        long[] now = new long[batch];
        long full = limit / batch;
        int rest = (int) (limit % batch);
        Source<long[], NotUsed> s = Source.repeat(now).take(full);
        return rest == 0 ? s : s.concat(Source.single(new long[rest]));
    }

    private static final class State {
        private final LoadProfile.Schedule schedule;
        private final long start;
        private final long deadline;
        private long left;
        private long next;

        State(LoadProfile.Schedule schedule, long start, long limit, long deadline) {
            this.schedule = schedule;
            this.start = start;
            this.left = limit;
            this.deadline = deadline;
            this.next = start + schedule.next();
        }

        /** Tickets due now; DONE once the schedule is done. */
        long[] due(int maxBatch) {
            long now = System.nanoTime();
            // a duration ends issuing at the deadline, as a load generator stops sending: tickets not yet sent are not owed
            if (left == 0 || next > deadline || now > deadline) return DONE;
            long[] out = null;
            int n = 0;
            while (n < maxBatch && left > 0 && next <= now && next <= deadline) {
                if (out == null) out = new long[maxBatch];
                out[n++] = next;
                left--;
                next = start + schedule.next();
            }
            return n == 0 ? NONE : (n == maxBatch ? out : Arrays.copyOf(out, n));
        }
    }
}
