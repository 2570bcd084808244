package io.faultfabric.engine;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One SMMUv3 unit with a PRI device and two stalling devices, driven by random interleavings of stalls, partial drains,
 * answers, second answers, forged resumes, timeouts, detach and attach, device resets, handler failures and unit
 * restarts: whatever the order, every stall gets exactly one resume, RETRY exactly when its code is Success, every bad
 * resume is rejected and counted and reaches nobody, and the event queue never holds more than its depth.
 */
class StallCoreProperties {
    private static final int PRI = 0x100;
    private static final int[] SIDS = {0x200, 0x201};

    enum Kind { STALL, DRAIN, ANSWER, ANSWER_AGAIN, FORGE, EXPIRE, TOGGLE_ATTACH, RESET, FAIL, RESTART }

    record Op(Kind kind, int a, int b) {}

    @Provide
    Arbitrary<Op> ops() {
        Arbitrary<Kind> kinds = Arbitraries.frequency(Tuple.of(8, Kind.STALL), Tuple.of(4, Kind.DRAIN), Tuple.of(6, Kind.ANSWER),
            Tuple.of(1, Kind.ANSWER_AGAIN), Tuple.of(1, Kind.FORGE), Tuple.of(2, Kind.EXPIRE), Tuple.of(1, Kind.TOGGLE_ATTACH),
            Tuple.of(1, Kind.RESET), Tuple.of(1, Kind.FAIL), Tuple.of(1, Kind.RESTART));
        return net.jqwik.api.Combinators.combine(kinds, Arbitraries.integers().between(0, 1 << 16),
            Arbitraries.integers().between(0, 1 << 16)).as(Op::new);
    }

    @Property(tries = 300)
    void everyStallGetsExactlyOneResumeWhateverHappens(@ForAll @Size(min = 20, max = 300) List<@net.jqwik.api.From("ops") Op> ops,
                                                       @ForAll @IntRange(min = 1, max = 8) int eventQueueDepth,
                                                       @ForAll RoutingMode mode) {
        Recorder out = new Recorder();
        long[] clock = {0};
        IommuCore c = new IommuCore(0, IommuKind.SMMUV3, 64, mode, new int[] {PRI, SIDS[0], SIDS[1]}, new int[] {900, 901, 902},
            new boolean[] {false, true, true}, eventQueueDepth, new RoutingTable(16, io -> 100 + io), out);
        c.stallClock(() -> clock[0]);
        int io = 0;
        for (int sid : SIDS) for (int pasid = 1; pasid <= 2; pasid++) c.attach(sid, pasid, io++);
        long now = 0;
        long stalls = 0, badAnswers = 0, seq = 0;

        for (Op op : ops) {
            clock[0] += 10;
            int sid = SIDS[op.a() % 2];
            int pasid = 1 + op.b() % 2;
            switch (op.kind()) {
                case STALL -> {
                    c.offer(new PageRequest(sid, pasid, true, 0, (seq + 1) << 12, Permissions.READ, true, now, seq++), now);
                    stalls++;
                    assertThat(c.stallQueue().queued()).isLessThanOrEqualTo(eventQueueDepth);
                }
                case DRAIN -> c.drain(1 + op.a() % 4, now);
                case ANSWER -> {
                    PageRequestGroup g = pendingStall(out, op.a());
                    if (g != null) {
                        ResponseCode code = op.b() % 3 == 0 ? ResponseCode.INVALID : ResponseCode.SUCCESS;
                        assertThat(c.respond(g, g.handler(), code)).isNull();
                    }
                }
                case ANSWER_AGAIN -> {
                    // the handler answers a stall again after its resume went out
                    List<PageRequestGroup> done = stallResponses(out);
                    if (!done.isEmpty()) {
                        PageRequestGroup g = done.get(op.a() % done.size());
                        if (g.groupId() >= 0) {
                            assertThat(c.respond(g, g.handler(), ResponseCode.SUCCESS)).isNotNull();
                            badAnswers++;
                        }
                    }
                }
                case FORGE -> {
                    // a resume naming a STAG with a group instance nobody was given
                    assertThat(c.respond(sid, pasid, op.b() & Stag.MAX, -7, 100, ResponseCode.SUCCESS, null)).isNotNull();
                    badAnswers++;
                }
                case EXPIRE -> {
                    now += 1 + op.a() % 50;
                    c.expire(now, 40);
                }
                case TOGGLE_ATTACH -> {
                    if (c.routing().ioasidAt(sid, pasid) >= 0) c.detach(sid, pasid, now);
                    else if (!c.routing().isDraining(sid, pasid)) c.attach(sid, pasid, op.b() % 8);
                }
                case RESET -> c.resetDevice(sid, now);
                case FAIL -> c.failGroupsOf(sid, now);
                case RESTART -> c.restart(now);
            }
        }
        c.answerAll(AutoReason.SHUTDOWN, now);

        Map<PageRequestGroup, Integer> resumes = new IdentityHashMap<>();
        for (PageRequestGroup g : out.responses) if (g.isStall()) resumes.merge(g, 1, Integer::sum);
        assertThat(resumes.values()).as("each stall resumed once").allMatch(n -> n == 1);
        assertThat((long) resumes.size()).as("every stall resumed").isEqualTo(stalls);
        OutcomeLedger l = c.ledger();
        assertThat(l.stallsTaken).isEqualTo(stalls);
        assertThat(l.resumesSent()).isEqualTo(stalls);
        long retried = resumes.keySet().stream().filter(g -> g.code() == ResponseCode.SUCCESS).count();
        assertThat(l.resumesSent[StallEventQueue.Resume.RETRY.ordinal()]).isEqualTo(retried);
        assertThat(l.responsesRejected()).isEqualTo(badAnswers);
        assertThat(out.rejections).hasSize((int) badAnswers);
        assertThat(c.stallQueue().outstanding()).isZero();
        assertThat(c.backlog()).isZero();
        assertThat(c.outstandingCount()).isZero();
        assertThat(l.eventQueueHighWater).isLessThanOrEqualTo(eventQueueDepth);
    }

    /** A stall dispatched to its handler and not answered yet, chosen by {@code pick}; null if there is none. */
    private static PageRequestGroup pendingStall(Recorder out, int pick) {
        List<PageRequestGroup> pending = new ArrayList<>();
        for (PageRequestGroup g : out.dispatched) if (g.isStall() && !g.isAnswered()) pending.add(g);
        return pending.isEmpty() ? null : pending.get(pick % pending.size());
    }

    private static List<PageRequestGroup> stallResponses(Recorder out) {
        List<PageRequestGroup> done = new ArrayList<>();
        for (PageRequestGroup g : out.responses) if (g.isStall()) done.add(g);
        return done;
    }
}
