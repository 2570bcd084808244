package io.faultfabric.engine.owner;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BusyUntilTest {
    private long now;
    private final BusyUntil pacer = new BusyUntil(() -> now);

    @Test
    void anIdleServerStartsAJobNow() {
        now = 1_000;
        assertThat(pacer.begin(300)).isEqualTo(300);
        assertThat(pacer.busyUntil()).isEqualTo(1_300);
    }

    @Test
    void aLateTimerDoesNotSlowTheServer() {
        now = 0;
        assertThat(pacer.begin(100)).isEqualTo(100);
        now = 250; // the timer fired 150 ns late
        pacer.fired();
        // the next job started when the first one ended (100), so it ends at 200: due at once (1 ns)
        assertThat(pacer.begin(100)).isEqualTo(1);
        assertThat(pacer.busyUntil()).isEqualTo(200);
        assertThat(pacer.begin(100)).isEqualTo(50);
    }

    @Test
    void idleForgetsBusyTimeThatHasPassed() {
        now = 0;
        pacer.begin(100);
        now = 1_000;
        pacer.idle();
        assertThat(pacer.begin(100)).isEqualTo(100);
        assertThat(pacer.busyUntil()).isEqualTo(1_100);
    }

    @Test
    void zeroServiceIsDoneAtOnceAndNegativeIsRefused() {
        assertThat(pacer.begin(0)).isZero();
        assertThatThrownBy(() -> pacer.begin(-1)).hasMessageContaining("serviceNanos");
    }
}
