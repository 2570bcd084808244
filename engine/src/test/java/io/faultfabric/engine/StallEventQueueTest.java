package io.faultfabric.engine;

import io.faultfabric.engine.StallEventQueue.ResumeResult;
import io.faultfabric.engine.StallEventQueue.Stall;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StallEventQueueTest {

    @Test
    void successRetriesAndInvalidOrFailureAbort() {
        assertThat(StallEventQueue.action(ResponseCode.SUCCESS)).isEqualTo(StallEventQueue.Resume.RETRY);
        assertThat(StallEventQueue.action(ResponseCode.INVALID)).isEqualTo(StallEventQueue.Resume.ABORT);
        assertThat(StallEventQueue.action(ResponseCode.RESPONSE_FAILURE)).isEqualTo(StallEventQueue.Resume.ABORT);
    }

    @Test
    void aStallIsReportedAsOneGroupAndTakesExactlyOneResume() {
        StallEventQueue q = new StallEventQueue(4);
        int stag = q.stall(7, 0x1000, 1);
        Stall s = q.poll();

        assertThat(s.sid()).isEqualTo(7);
        assertThat(s.stag()).isEqualTo(stag);
        assertThat(q.resume(7, stag, ResponseCode.SUCCESS)).isEqualTo(ResumeResult.RETRIED);
        assertThat(q.resume(7, stag, ResponseCode.SUCCESS)).isEqualTo(ResumeResult.REJECTED_UNKNOWN_STAG);
        assertThat(q.retried).isEqualTo(1);
        assertThat(q.resumesRejected).isEqualTo(1);
        assertThat(q.outstanding()).isZero();
    }

    @Test
    void aFullEventQueueNeverDropsAStallTheTransactionWaitsForRoom() {
        StallEventQueue q = new StallEventQueue(2);
        int a = q.stall(1, 0x1000, 1);
        int b = q.stall(1, 0x2000, 2);
        int c = q.stall(1, 0x3000, 3);

        assertThat(q.queued()).isEqualTo(2);
        assertThat(q.waiting()).isEqualTo(1);
        assertThat(q.waitedForRoom).isEqualTo(1);
        // software cannot resume what it has not been told of
        assertThat(q.resume(1, c, ResponseCode.SUCCESS)).isEqualTo(ResumeResult.REJECTED_NOT_REPORTED);

        assertThat(q.poll().stag()).isEqualTo(a);
        assertThat(q.waiting()).isZero();
        assertThat(q.poll().stag()).isEqualTo(b);
        assertThat(q.poll().stag()).isEqualTo(c);
        assertThat(q.resume(1, a, ResponseCode.SUCCESS)).isEqualTo(ResumeResult.RETRIED);
        assertThat(q.resume(1, b, ResponseCode.INVALID)).isEqualTo(ResumeResult.ABORTED);
        assertThat(q.resume(1, c, ResponseCode.RESPONSE_FAILURE)).isEqualTo(ResumeResult.ABORTED);
        assertThat(q.stalls).isEqualTo(q.retried + q.aborted).isEqualTo(3);
    }

    @Test
    void stagsAreUniqueAmongAStreamsOutstandingStallsAndRunOutAt65536() {
        StallEventQueue q = new StallEventQueue(1 << 19);
        Set<Integer> tags = new HashSet<>();
        for (int i = 0; i <= Stag.MAX; i++) tags.add(q.stall(3, i, i));

        assertThat(tags).hasSize(Stag.MAX + 1);
        assertThat(q.stall(3, 0, 0)).isEqualTo(-1);
        assertThat(q.stagsExhausted).isEqualTo(1);
        // another stream has its own tags
        assertThat(q.stall(4, 0, 0)).isBetween(0, Stag.MAX);

        Stall first = q.poll();
        q.resume(first.sid(), first.stag(), ResponseCode.SUCCESS);
        assertThat(q.stall(3, 0, 0)).isEqualTo(first.stag());
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> new StallEventQueue(0)).isInstanceOf(IllegalArgumentException.class);
        StallEventQueue q = new StallEventQueue(1);
        assertThatThrownBy(() -> q.stall(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> q.resume(0, 0x10000, ResponseCode.SUCCESS)).isInstanceOf(IllegalArgumentException.class);
    }
}
