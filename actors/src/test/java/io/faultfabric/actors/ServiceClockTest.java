package io.faultfabric.actors;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
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
    void aClosedClockDeliversNothingMore() {
        ServiceClock clock = ServiceClock.precise("test-clock-closed");
        TestProbe<String> probe = KIT.createTestProbe();
        clock.schedule(Duration.ofMillis(300).toNanos(), probe.getRef(), "late");
        clock.close();
        probe.expectNoMessage(Duration.ofMillis(600));
    }
}
