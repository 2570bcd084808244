package io.faultfabric.engine.owner;

import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.owner.IommufdFaultQueue.PageResponse;
import io.faultfabric.engine.owner.IommufdFaultQueue.PgFault;
import io.faultfabric.engine.owner.IommufdFaultQueue.ReadResult;
import io.faultfabric.engine.owner.IommufdFaultQueue.WriteResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault fd's rules as properties over random sequences of enqueue, read, write and detach, checked
 * against a plain model after every step. Each seed is one reproducible case.
 */
class IommufdFaultQueuePropertiesTest {

    static LongStream seeds() {
        return LongStream.range(0, 150);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyGroupIsUnreadAwaitingOrAnsweredExactlyOnce(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Groups groups = new Groups();
        IommufdFaultQueue fd = new IommufdFaultQueue();
        ArrayDeque<PageRequestGroup> unread = new ArrayDeque<>();
        TreeMap<Integer, PageRequestGroup> awaiting = new TreeMap<>();
        Map<PageRequestGroup, Integer> answers = new IdentityHashMap<>();
        List<PageRequestGroup> all = new ArrayList<>();
        int prgi = 0;

        for (int step = 0; step < 250; step++) {
            int op = rnd.nextInt(10);
            if (op < 4) {
                PageRequestGroup g = groups.group(rnd.nextBoolean() ? Groups.RID_A : Groups.RID_B, rnd.nextInt(4), prgi++ & 511, 1 + rnd.nextInt(4));
                fd.enqueue(g);
                unread.addLast(g);
                all.add(g);
            } else if (op < 7) {
                int count = rnd.nextInt(8) == 0 ? 1 + rnd.nextInt(100) : IommufdFaultQueue.RECORD_BYTES * rnd.nextInt(10);
                ReadResult r = fd.read(count);
                checkRead(r, count, unread, awaiting);
            } else if (op < 9) {
                List<PageResponse> buf = new ArrayList<>();
                int n = 1 + rnd.nextInt(4);
                List<Integer> live = new ArrayList<>(awaiting.keySet());
                for (int i = 0; i < n; i++) {
                    int cookie = live.isEmpty() || rnd.nextInt(6) == 0 ? rnd.nextInt(12) : live.get(rnd.nextInt(live.size()));
                    int code = rnd.nextInt(8) == 0 ? 2 : rnd.nextInt(2);
                    buf.add(new PageResponse(cookie, code));
                }
                List<PageRequestGroup> responded = new ArrayList<>();
                WriteResult w = fd.write(buf, (g, code) -> {
                    responded.add(g);
                    assertThat(answers.put(g, code)).as("answered twice: %s", g).isNull();
                });
                int expectConsumed = 0;
                int expectErrno = 0;
                TreeMap<Integer, PageRequestGroup> model = new TreeMap<>(awaiting);
                List<PageRequestGroup> expectResponded = new ArrayList<>();
                for (PageResponse rec : buf) {
                    if ((rec.code() != 0 && rec.code() != 1) || !model.containsKey(rec.cookie())) {
                        expectErrno = IommufdFaultQueue.EINVAL;
                        break;
                    }
                    expectResponded.add(model.remove(rec.cookie()));
                    expectConsumed += IommufdFaultQueue.RESPONSE_BYTES;
                }
                assertThat(w).isEqualTo(new WriteResult(expectConsumed, expectErrno));
                assertThat(responded).containsExactlyElementsOf(expectResponded);
                awaiting.clear();
                awaiting.putAll(model);
            } else {
                int rid = rnd.nextBoolean() ? Groups.RID_A : Groups.RID_B;
                int pasid = rnd.nextInt(4);
                List<PageRequestGroup> detached = new ArrayList<>();
                fd.detach(rid, pasid, (g, code) -> {
                    assertThat(code).isEqualTo(IommufdFaultQueue.RESP_INVALID);
                    assertThat(answers.put(g, code)).isNull();
                    detached.add(g);
                });
                List<PageRequestGroup> expected = new ArrayList<>();
                unread.removeIf(g -> g.rid() == rid && g.pasid() == pasid && expected.add(g));
                awaiting.values().removeIf(g -> g.rid() == rid && g.pasid() == pasid && expected.add(g));
                assertThat(detached).containsExactlyInAnyOrderElementsOf(expected);
            }
            assertThat(fd.unreadCount()).isEqualTo(unread.size());
            assertThat(fd.awaitingCount()).isEqualTo(awaiting.size());
            for (Map.Entry<Integer, PageRequestGroup> e : awaiting.entrySet()) assertThat(fd.awaiting(e.getKey())).isSameAs(e.getValue());
            for (PageRequestGroup g : all) {
                int places = (unread.contains(g) ? 1 : 0) + (awaiting.containsValue(g) ? 1 : 0) + (answers.containsKey(g) ? 1 : 0);
                assertThat(places).as("seed %d step %d: %s", seed, step, g).isEqualTo(1);
            }
        }
    }

    private static void checkRead(ReadResult r, int count, ArrayDeque<PageRequestGroup> unread, TreeMap<Integer, PageRequestGroup> awaiting) {
        if (count % IommufdFaultQueue.RECORD_BYTES != 0) {
            assertThat(r.errno()).isEqualTo(IommufdFaultQueue.ESPIPE);
            return;
        }
        assertThat(r.errno()).isZero();
        assertThat(r.bytes()).isLessThanOrEqualTo(count);
        List<PgFault> recs = r.records();
        int i = 0;
        while (i < recs.size()) {
            PageRequestGroup g = unread.pollFirst();
            assertThat(g).as("read more groups than were queued").isNotNull();
            int cookie = recs.get(i).cookie();
            int lowestFree = 1;
            while (awaiting.containsKey(lowestFree)) lowestFree++;
            assertThat(cookie).as("the lowest free cookie").isEqualTo(lowestFree);
            for (int k = 0; k < g.requestCount(); k++, i++) {
                assertThat(i).as("a group was split").isLessThan(recs.size());
                PgFault rec = recs.get(i);
                assertThat(rec.cookie()).isEqualTo(cookie);
                assertThat(rec.grpid()).isEqualTo(g.prgi());
                assertThat(rec.lastPage()).isEqualTo(k == g.requestCount() - 1);
            }
            awaiting.put(cookie, g);
        }
        // greedy: the next unread group would not have fitted
        if (!unread.isEmpty()) {
            assertThat(r.bytes() + unread.peekFirst().requestCount() * IommufdFaultQueue.RECORD_BYTES).isGreaterThan(count);
        }
    }
}
