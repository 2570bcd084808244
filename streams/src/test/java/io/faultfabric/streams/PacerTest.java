package io.faultfabric.streams;

import io.faultfabric.engine.workload.LoadProfile;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Open-model pacing: each device releases its tickets at its own release points on a precise clock, the devices'
 * points staggered over the quantum, every ticket released at or after its intended time and at most a quantum later.
 * The rule is checked on its own with a manual time, and the stream stage with a manual clock whose wake-ups the test
 * runs: no sleeps, no real time in any assertion.
 */
class PacerTest {
    private static final ActorTestKit KIT = ActorTestKit.create("pacer-test");
    private static final long MS = 1_000_000;
    private static final long START = 1_000 * MS;

    @AfterAll
    static void down() {
        KIT.shutdownTestKit();
    }

    /** A constant rate whose first ticket is at the start (a Constant profile staggers its sources' first tickets). */
    private static LoadProfile steady(double perSecond) {
        return new LoadProfile.Ramp(perSecond, perSecond, 1);
    }

    // ---------------------------------------------------------------- the release rule

    @Property(tries = 200)
    void aDeviceThatKeepsUpGetsEveryTicketAtItsOwnReleasePointsNeverEarlyAndAtMostAQuantumLate(
        @ForAll @IntRange(min = 1, max = 300) int devices, @ForAll @IntRange(min = 0, max = 299) int deviceSeed,
        @ForAll @LongRange(min = 1_000, max = 5_000_000) long perSecond, @ForAll @LongRange(min = 10_000, max = 5_000_000) long quantum,
        @ForAll boolean poisson) {
        int device = deviceSeed % devices;
        LoadProfile profile = poisson ? new LoadProfile.Poisson(perSecond) : new LoadProfile.Constant(perSecond);
        long phase = Pacer.phase(device, devices, quantum);
        long limit = 200;
        Pacer.Releases r = new Pacer.Releases(profile.schedule(devices, 7, device), START, limit, Long.MAX_VALUE, quantum, phase, 512);
        long released = 0;
        long lastPoint = Long.MIN_VALUE;
        while (!r.done(lastPoint == Long.MIN_VALUE ? START : lastPoint)) {
            long at = r.nextRelease();
            assertThat((at - START - phase) % quantum).as("released only at the device's own points").isZero();
            assertThat(at).as("each release point once, in order").isGreaterThan(lastPoint);
            assertThat(r.releasable(at)).isTrue();
            assertThat(r.releasable(at - 1)).as("nothing is released before the point").isFalse();
            long[] batch = r.take(at);
            assertThat(batch).isNotEmpty();
            for (long intended : batch) {
                assertThat(intended).as("never released early").isLessThanOrEqualTo(at);
                assertThat(at - intended).as("at most a quantum late").isLessThan(quantum);
            }
            released += batch.length;
            lastPoint = at;
        }
        assertThat(released).as("every ticket of the limit, none twice").isEqualTo(limit);
    }

    @Test
    void theDevicesReleasePointsAreSpreadEvenlyOverTheQuantumNotOneTickForAll() {
        int devices = 256;
        long quantum = MS;
        LoadProfile profile = new LoadProfile.Constant(1_000_000); // ~4 tickets per device per quantum
        TreeSet<Long> instants = new TreeSet<>();
        List<Integer> batchSizes = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            Pacer.Releases r = new Pacer.Releases(profile.schedule(devices, 42, d), START, Long.MAX_VALUE, Long.MAX_VALUE, quantum,
                Pacer.phase(d, devices, quantum), 512);
            // skip the first quantum (the schedules' own start offsets), then look at one quantum of steady state
            while (r.nextRelease() < START + quantum) r.take(r.nextRelease());
            long at = r.nextRelease();
            assertThat(at).isLessThan(START + 2 * quantum);
            assertThat(instants.add(at)).as("device %d releases at an instant of its own", d).isTrue();
            batchSizes.add(r.take(at).length);
        }
        long prev = -1;
        for (long at : instants) {
            if (prev >= 0) assertThat(at - prev).as("gap between two devices' releases").isGreaterThanOrEqualTo(quantum / devices);
            prev = at;
        }
        assertThat(batchSizes).as("small batches: a quantum's share of the rate").allSatisfy(n -> assertThat(n).isBetween(3, 5));
    }

    @Test
    void aDeviceThatFellBehindGetsItsOverdueTicketsAtOnceWithTheirIntendedTimesAndInBoundedArrays() {
        LoadProfile profile = steady(1_000_000); // one device: a ticket every microsecond
        Pacer.Releases r = new Pacer.Releases(profile.schedule(1, 3, 0), START, 1_000, Long.MAX_VALUE, MS, 0, 300);
        long late = START + 5 * MS + MS / 2; // the device was busy for five and a half quanta
        assertThat(r.releasable(late)).isTrue();
        long[] first = r.take(late);
        assertThat(first).hasSize(300);
        assertThat(first[0]).isEqualTo(START);
        assertThat(first[299] - first[0]).as("the intended times, not the time of release").isEqualTo(299_000);
        long[] second = r.take(late);
        assertThat(second).hasSize(300);
        assertThat(second[0]).isEqualTo(first[299] + 1_000);
        r.take(late);
        long[] rest = r.take(late);
        assertThat(rest).hasSize(100);
        assertThat(r.done(late)).as("the limit of 1,000 is reached").isTrue();
    }

    @Test
    void nothingIsReleasedPastTheDeadline() {
        LoadProfile profile = steady(10_000); // a ticket every 100 us
        long deadline = START + 2 * MS + 50_000;
        Pacer.Releases r = new Pacer.Releases(profile.schedule(1, 3, 0), START, Long.MAX_VALUE, deadline, MS, 0, 512);
        List<Long> all = new ArrayList<>();
        long now = START;
        while (!r.done(now)) {
            now = r.nextRelease();
            if (r.done(now)) break;
            for (long t : r.take(now)) all.add(t);
        }
        assertThat(all).allSatisfy(t -> assertThat(t).isLessThanOrEqualTo(deadline));
        // released at the points 0, 1 and 2 ms; the ticket at 2.1 ms would be past the deadline (at 2.05 ms)
        assertThat(all).hasSize(21);
        assertThat(all.get(all.size() - 1)).isEqualTo(START + 2 * MS);
    }

    @Test
    void badArgumentsAreRefusedWithWhatWasWrong() {
        LoadProfile.Schedule s = new LoadProfile.Constant(1000).schedule(1, 1, 0);
        assertThatThrownBy(() -> new Pacer.Releases(s, 0, 10, Long.MAX_VALUE, 0, 0, 1)).hasMessageContaining("quantum");
        assertThatThrownBy(() -> new Pacer.Releases(s, 0, 10, Long.MAX_VALUE, MS, MS, 1)).hasMessageContaining("phase");
        assertThatThrownBy(() -> new Pacer.Releases(s, 0, 10, Long.MAX_VALUE, MS, 0, 0)).hasMessageContaining("maxBatch");
        assertThatThrownBy(() -> new Pacer.Releases(s, 0, 0, Long.MAX_VALUE, MS, 0, 1)).hasMessageContaining("limit");
        assertThatThrownBy(() -> Pacer.phase(4, 4, MS)).hasMessageContaining("device must be 0..3, was 4");
    }

    // ---------------------------------------------------------------- the stream stage, on a manual clock

    /** Time moves only when the test says so; wake-ups run on the test's thread when their time comes. */
    private static final class ManualClock implements Pacer.Clock {
        private record Wake(long at, long seq, Runnable task) {}

        private final PriorityQueue<Wake> wakes = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
        private long now;
        private long seq;

        ManualClock(long now) { this.now = now; }

        @Override public synchronized long nanoTime() { return now; }

        @Override
        public synchronized void wakeAfter(long delayNanos, Runnable wake) {
            wakes.add(new Wake(now + delayNanos, seq++, wake));
        }

        synchronized List<Long> pendingWakes() {
            List<Long> at = new ArrayList<>();
            for (Wake w : wakes) at.add(w.at);
            return at;
        }

        /** Moves time to {@code t}, running the wake-ups due by then. */
        void advanceTo(long t) {
            List<Runnable> due = new ArrayList<>();
            synchronized (this) {
                now = t;
                while (!wakes.isEmpty() && wakes.peek().at <= t) due.add(wakes.poll().task);
            }
            due.forEach(Runnable::run);
        }
    }

    private static TestSubscriber.Probe<long[]> run(ManualClock clock, long perSecond, long limit, long deadline, long phase) {
        var schedule = steady(perSecond).schedule(1, 9, 0);
        return Pacer.open(schedule, START, limit, deadline, MS, phase, 512, clock)
            .runWith(TestSink.create(KIT.system()), KIT.system());
    }

    /** Waits (on the stream, not on time) until the stage has asked the clock for a wake-up. */
    private static void awaitWakeRequested(ManualClock clock, int count) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> clock.pendingWakes().size() == count);
    }

    @Test
    void theStageAsksThePreciseClockForItsNextReleasePointAndReleasesThereWhatIsDue() {
        ManualClock clock = new ManualClock(START);
        long phase = 250_000;
        TestSubscriber.Probe<long[]> sink = run(clock, 4_000, 100, Long.MAX_VALUE, phase); // a ticket every 250 us
        sink.request(1);
        awaitWakeRequested(clock, 1);
        assertThat(clock.pendingWakes()).as("the first point at or after the first ticket (at the start): start + phase")
            .containsExactly(START + phase);
        clock.advanceTo(START + phase);
        assertThat(sink.expectNext()).containsExactly(START, START + 250_000);

        sink.request(1);
        awaitWakeRequested(clock, 1);
        assertThat(clock.pendingWakes()).as("the next ticket (start + 500 us) goes at the next point").containsExactly(START + phase + MS);
        clock.advanceTo(START + phase + MS);
        assertThat(sink.expectNext()).containsExactly(START + 500_000, START + 750_000, START + 1_000_000, START + 1_250_000);
        sink.cancel();
    }

    @Test
    void aWakeWithoutDemandLosesNothingTheNextPullTakesEverythingDueByThen() {
        ManualClock clock = new ManualClock(START);
        TestSubscriber.Probe<long[]> sink = run(clock, 4_000, 100, Long.MAX_VALUE, 0);
        sink.request(1);
        assertThat(sink.expectNext()).as("at the start, the first point (phase 0) is due").containsExactly(START);
        // no demand: the stage asks for no wake-up, the device is busy; time goes on by three quanta and a half
        clock.advanceTo(START + 3 * MS + MS / 2);
        sink.request(1);
        long[] overdue = sink.expectNext();
        assertThat(overdue).as("every ticket due by now, with its intended time").hasSize(14);
        assertThat(overdue[0]).isEqualTo(START + 250_000);
        assertThat(overdue[13]).isEqualTo(START + 3_500_000);
        sink.cancel();
    }

    @Test
    void theStreamCompletesAtItsLimitAndAtItsDeadline() {
        ManualClock clock = new ManualClock(START);
        TestSubscriber.Probe<long[]> byLimit = run(clock, 4_000, 3, Long.MAX_VALUE, 0);
        byLimit.request(10);
        assertThat(byLimit.expectNext()).containsExactly(START);
        awaitWakeRequested(clock, 1);
        clock.advanceTo(START + MS);
        assertThat(byLimit.expectNext()).containsExactly(START + 250_000, START + 500_000);
        byLimit.expectComplete();

        ManualClock clock2 = new ManualClock(START);
        // the ticket at 1.25 ms is before the deadline, but its release point (2 ms) is after it: it is not owed
        TestSubscriber.Probe<long[]> byDeadline = run(clock2, 4_000, Long.MAX_VALUE, START + MS + 300_000, 0);
        byDeadline.request(10);
        assertThat(byDeadline.expectNext()).containsExactly(START);
        awaitWakeRequested(clock2, 1);
        clock2.advanceTo(START + MS);
        assertThat(byDeadline.expectNext()).containsExactly(START + 250_000, START + 500_000, START + 750_000, START + 1_000_000);
        awaitWakeRequested(clock2, 1);
        clock2.advanceTo(START + 2 * MS);
        byDeadline.expectComplete();

        ManualClock clock3 = new ManualClock(START);
        TestSubscriber.Probe<long[]> nextPastDeadline = run(clock3, 4_000, Long.MAX_VALUE, START + MS + 100_000, 0);
        nextPastDeadline.request(10);
        assertThat(nextPastDeadline.expectNext()).containsExactly(START);
        awaitWakeRequested(clock3, 1);
        clock3.advanceTo(START + MS);
        assertThat(nextPastDeadline.expectNext()).hasSize(4);
        nextPastDeadline.expectComplete(); // the next ticket (1.25 ms) is past the deadline: done without waiting for it
    }
}
