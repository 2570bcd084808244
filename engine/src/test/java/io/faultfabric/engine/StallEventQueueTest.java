package io.faultfabric.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StallEventQueueTest {
    private final OutcomeLedger ledger = new OutcomeLedger();

    /** A faulting transaction of stream {@code sid}, as its IOMMU first sees it. */
    private static PageRequestGroup transaction(int sid, long page) {
        return new PageRequestGroup(0, 0, new PageRequest(sid, 1, true, 0, page << 12, Permissions.READ, true, 0, page));
    }

    private static PageRequestGroup answered(PageRequestGroup g, ResponseCode code) {
        g.answer(code, null);
        return g;
    }

    @Test
    void successRetriesAndInvalidOrFailureAbort() {
        assertThat(StallEventQueue.action(ResponseCode.SUCCESS)).isEqualTo(StallEventQueue.Resume.RETRY);
        assertThat(StallEventQueue.action(ResponseCode.INVALID)).isEqualTo(StallEventQueue.Resume.ABORT);
        assertThat(StallEventQueue.action(ResponseCode.RESPONSE_FAILURE)).isEqualTo(StallEventQueue.Resume.ABORT);
    }

    @Test
    void aStallIsReportedAsAOneRequestGroupWhoseIdIsItsStagAndIsResumedOnce() {
        StallEventQueue q = new StallEventQueue(4, ledger);
        PageRequestGroup t = transaction(7, 1);
        int stag = q.stall(t, 0);

        PageRequestGroup read = q.poll(0);
        assertThat(read).isSameAs(t);
        assertThat(read.isStall()).isTrue();
        assertThat(read.stag()).isEqualTo(stag);
        assertThat(read.prgi()).isEqualTo(stag);
        assertThat(read.requestCount()).isEqualTo(1);
        assertThat(read.lastRequest().last()).isTrue();
        assertThat(q.find(7, stag)).isSameAs(t);

        assertThat(q.resumed(answered(t, ResponseCode.SUCCESS))).isEqualTo(StallEventQueue.Resume.RETRY);
        // the second resume of the same transaction finds nothing: the caller rejects it
        assertThat(q.resumed(t)).isNull();
        assertThat(q.find(7, stag)).isNull();
        assertThat(ledger.resumesSent[StallEventQueue.Resume.RETRY.ordinal()]).isEqualTo(1);
        assertThat(ledger.resumesSent()).isEqualTo(1);
        assertThat(q.outstanding()).isZero();
    }

    @Test
    void aFullEventQueueNeverDropsAStallTheTransactionWaitsForRoomAndTheWaitIsTimed() {
        StallEventQueue q = new StallEventQueue(2, ledger);
        PageRequestGroup a = transaction(1, 1), b = transaction(1, 2), c = transaction(1, 3);
        q.stall(a, 100);
        q.stall(b, 100);
        q.stall(c, 1_000);

        assertThat(q.queued()).isEqualTo(2);
        assertThat(q.waiting()).isEqualTo(1);
        assertThat(ledger.stallsWaitedForRoom).isEqualTo(1);
        assertThat(ledger.stallsTaken).isEqualTo(3);
        // the waiting one already holds its STAG: it is stalled, only its record waits
        assertThat(q.find(1, c.stag())).isSameAs(c);

        assertThat(q.poll(5_000)).isSameAs(a);
        assertThat(q.waiting()).isZero();
        assertThat(ledger.stallWaitNanos).isEqualTo(4_000);
        assertThat(ledger.stallWaitMaxNanos).isEqualTo(4_000);
        assertThat(q.poll(6_000)).isSameAs(b);
        assertThat(q.poll(6_000)).isSameAs(c);
        assertThat(q.poll(6_000)).isNull();
        assertThat(ledger.eventQueueHighWater).isEqualTo(2);
    }

    @Test
    void stagsAreUniqueAmongAStreamsOutstandingStallsAndFreedByTheResume() {
        StallEventQueue q = new StallEventQueue(1 << 19, ledger);
        Set<Integer> tags = new HashSet<>();
        List<PageRequestGroup> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            PageRequestGroup g = transaction(3, i + 1);
            assertThat(tags.add(q.stall(g, 0))).isTrue();
            all.add(g);
        }
        // another stream has its own tags: the same values may be in use there
        PageRequestGroup other = transaction(4, 1);
        assertThat(q.stall(other, 0)).isEqualTo(all.get(0).stag());
        assertThat(q.outstanding(3)).isEqualTo(1000);

        for (PageRequestGroup g : all) q.poll(0);
        q.resumed(answered(all.get(10), ResponseCode.INVALID));
        assertThat(q.outstanding(3)).isEqualTo(999);
        assertThat(ledger.resumesSent[StallEventQueue.Resume.ABORT.ordinal()]).isEqualTo(1);
    }

    @Test
    void aStreamWithEverySixteenBitTagOutstandingCannotStallAgain() {
        StallEventQueue q = new StallEventQueue(1 << 19, ledger);
        for (int i = 0; i < StallEventQueue.STAGS; i++) assertThat(q.stall(transaction(9, i + 1), 0)).isEqualTo(i);

        PageRequestGroup one = transaction(9, 1 << 20);
        assertThat(q.stall(one, 0)).isEqualTo(-1);
        assertThat(one.isStall()).isFalse();
        assertThat(ledger.stagsExhausted).isEqualTo(1);
        assertThat(q.outstanding()).isEqualTo(StallEventQueue.STAGS);
    }

    @Test
    void withdrawTakesQueuedAndWaitingStallsOutAndLetsOthersIn() {
        StallEventQueue q = new StallEventQueue(1, ledger);
        PageRequestGroup a = transaction(1, 1), b = transaction(2, 1), c = transaction(2, 2);
        q.stall(a, 0);
        q.stall(b, 0);
        q.stall(c, 0);
        assertThat(q.holds(2, 1)).isTrue();
        List<PageRequestGroup> out = new ArrayList<>();

        int n = q.withdraw(g -> g.rid() == 1, g -> { out.add(g); q.resumed(answered(g, ResponseCode.INVALID)); }, 10);

        assertThat(n).isEqualTo(1);
        assertThat(out).containsExactly(a);
        assertThat(q.queued()).isEqualTo(1);
        assertThat(q.poll(10)).isSameAs(b);
        assertThat(q.poll(10)).isSameAs(c);
        assertThat(q.holds(1, 1)).isFalse();
    }

    @Test
    void refusesABadCapacity() {
        assertThatThrownBy(() -> new StallEventQueue(0, ledger)).hasMessage("eventQueueDepth must be 1..2^19 (524288), was 0");
        assertThatThrownBy(() -> new StallEventQueue((1 << 19) + 1, ledger)).hasMessageStartingWith("eventQueueDepth must be 1..2^19");
    }
}
