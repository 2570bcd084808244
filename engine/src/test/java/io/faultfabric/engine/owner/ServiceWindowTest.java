package io.faultfabric.engine.owner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceWindowTest {
    private static final long MS = 1_000_000L;

    @Test
    void zeroServiceTimeIsDoneAtOnce() {
        assertThat(new ServiceWindow(10 * MS).begin(0)).isZero();
    }

    @Test
    void delaysAreRoundedUpToWholeTicks() {
        ServiceWindow w = new ServiceWindow(10 * MS);
        assertThat(w.begin(10_000)).isEqualTo(10 * MS);
        assertThat(new ServiceWindow(10 * MS).begin(10 * MS)).isEqualTo(10 * MS);
        assertThat(new ServiceWindow(10 * MS).begin(10 * MS + 1)).isEqualTo(20 * MS);
    }

    @Test
    void withoutATickTheDelayIsTheServiceTime() {
        assertThat(new ServiceWindow(0).begin(12_345)).isEqualTo(12_345);
    }

    @Test
    void theRestOfAFiredWindowServesTheNextJobsAtOnce() {
        ServiceWindow w = new ServiceWindow(10 * MS);
        long delay = w.begin(4 * MS);
        w.fired();

        assertThat(delay).isEqualTo(10 * MS);
        assertThat(w.begin(3 * MS)).isZero();
        assertThat(w.begin(3 * MS)).isZero();
        assertThat(w.slack()).isZero();
        assertThat(w.begin(1)).as("nothing left: a new timer").isEqualTo(10 * MS);
    }

    @Test
    void aJobLongerThanTheSlackWaitsOnlyForTheRemainder() {
        ServiceWindow w = new ServiceWindow(10 * MS);
        w.begin(6 * MS);
        w.fired(); // 4 ms left

        assertThat(w.begin(5 * MS)).isEqualTo(10 * MS); // 1 ms remains, rounded to a tick
        w.fired();
        assertThat(w.slack()).isEqualTo(9 * MS);
    }

    @Test
    void slackDoesNotOutliveTheMomentTheServerGoesIdle() {
        ServiceWindow w = new ServiceWindow(10 * MS);
        w.begin(1 * MS);
        w.fired();
        w.idle();

        assertThat(w.begin(1 * MS)).isEqualTo(10 * MS);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void totalTimerTimeIsTheTotalServiceTimeRoundedUpByLessThanOneTickPerTimer(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long tick = 10 * MS;
        ServiceWindow w = new ServiceWindow(tick);
        long service = 0;
        long timers = 0;
        long timerTime = 0;
        for (int i = 0; i < 10_000; i++) {
            long s = rnd.nextLong(60_000);
            service += s;
            long d = w.begin(s);
            if (d > 0) {
                timers++;
                timerTime += d;
                w.fired();
            }
        }
        assertThat(timerTime).isGreaterThanOrEqualTo(service);
        assertThat(timerTime - service).isLessThan(tick);
        assertThat(timers).isLessThanOrEqualTo(service / tick + 1);
    }
}
