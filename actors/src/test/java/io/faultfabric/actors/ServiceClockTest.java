package io.faultfabric.actors;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceClockTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void down() {
        KIT.shutdownTestKit();
    }

    @Test
    void thePreciseClockDeliversInDueOrderAndNotEarly() {
        ServiceClock clock = ServiceClock.precise("test-clock");
        try {
            TestProbe<Long> probe = KIT.createTestProbe();
            long start = System.nanoTime();
            long[] delays = {3_000_000, 1_000_000, 2_000_000, 200_000};
            for (long d : delays) clock.schedule(d, probe.getRef(), d);
            List<Long> got = new ArrayList<>();
            for (int i = 0; i < delays.length; i++) {
                long d = probe.receiveMessage(Duration.ofSeconds(5));
                assertThat(System.nanoTime() - start).as("delivered no earlier than due").isGreaterThanOrEqualTo(d);
                got.add(d);
            }
            assertThat(got).containsExactly(200_000L, 1_000_000L, 2_000_000L, 3_000_000L);
        } finally {
            clock.close();
        }
    }

    @Test
    void thePreciseClockRunsTasksInDueOrderNotEarlyAndOnAfterOneThatFailed() {
        ServiceClock clock = ServiceClock.precise("test-clock-tasks");
        try {
            TestProbe<Long> probe = KIT.createTestProbe();
            long start = System.nanoTime();
            clock.runAfter(500_000, () -> { throw new IllegalStateException("a failing task, on purpose"); });
            long[] delays = {2_000_000, 1_000_000, 3_000_000};
            for (long d : delays) clock.runAfter(d, () -> probe.getRef().tell(System.nanoTime() - start));
            long[] elapsed = new long[delays.length];
            for (int i = 0; i < delays.length; i++) elapsed[i] = probe.receiveMessage(Duration.ofSeconds(5));
            assertThat(elapsed[0]).as("the earliest, not early").isGreaterThanOrEqualTo(1_000_000);
            assertThat(elapsed[1]).isGreaterThanOrEqualTo(2_000_000).isGreaterThanOrEqualTo(elapsed[0]);
            assertThat(elapsed[2]).isGreaterThanOrEqualTo(3_000_000).isGreaterThanOrEqualTo(elapsed[1]);
        } finally {
            clock.close();
        }
    }

    @Test
    void theSchedulerClockRunsTasksWhenManualTimeReachesThem() {
        ActorTestKit manual = ActorTestKit.create("service-clock-manual", ManualTime.config());
        try {
            ServiceClock clock = ServiceClock.scheduler(manual.system());
            TestProbe<String> probe = manual.createTestProbe();
            clock.runAfter(Duration.ofMillis(30).toNanos(), () -> probe.getRef().tell("at 30 ms"));
            ManualTime time = ManualTime.get(manual.system());
            time.timePasses(Duration.ofMillis(20));
            probe.expectNoMessage(Duration.ofMillis(50)); // on ManualTime nothing moves by itself: not a timing assertion
            time.timePasses(Duration.ofMillis(20));
            probe.expectMessage("at 30 ms");
        } finally {
            manual.shutdownTestKit();
        }
    }

    @Test
    void aClosedClockDeliversNothingMore() {
        ServiceClock clock = ServiceClock.precise("test-clock-closed");
        TestProbe<String> probe = KIT.createTestProbe();
        clock.schedule(Duration.ofMillis(300).toNanos(), probe.getRef(), "late");
        clock.close();
        probe.expectNoMessage(Duration.ofMillis(600));
    }
}
