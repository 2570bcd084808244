package io.faultfabric.engine;

import io.faultfabric.engine.check.DeviceChecker;
import io.faultfabric.engine.check.Invariant;
import io.faultfabric.engine.check.LedgerCheck;
import io.faultfabric.engine.check.OwnerChecker;
import io.faultfabric.engine.check.Violations;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Random request streams and random interleavings of drains, answers, detaches, replaces, resets,
 * timeouts, handler failures and removals, against one {@link IommuCore} and its {@link DeviceState}s
 * with the checkers watching. Tiny queues force every kind's overflow rule. At the end every device is
 * reset and the unit answers all: then every group closed with L=1 has had exactly one response and the
 * counts add up.
 */
class IommuCoreProperties {

    record Shape(IommuKind kind, int depth, RoutingMode mode, int devices, int vfs, int allocation, int pasids, int owners) {}

    sealed interface Op permits Send, Stop, Drain, Answer, Detach, Replace, Reset, Expire, Fail, Remove {}

    enum Flavor { NORMAL, BAD_PERM, NON_CANONICAL }

    /** A request of a new or an open group of (device, function); pasid index == pasids means "no PASID". */
    record Send(int device, int function, int pasid, boolean newGroup, boolean last, Flavor flavor) implements Op {}

    record Stop(int device, int function, int pasid, int prgi) implements Op {}

    record Drain(int max) implements Op {}

    /** The owner answers the pick-th group in its inbox: 0 Success, 1 Invalid, 2 its handler fails; or another owner answers it. */
    record Answer(int pick, int code, boolean wrongOwner) implements Op {}

    /** Detach if attached; if detached and drained, attach a new IOASID; if still draining, attach must be refused. */
    record Detach(int device, int function, int pasid) implements Op {}

    record Replace(int device, int function, int pasid) implements Op {}

    record Reset(int device) implements Op {}

    record Expire(int advance) implements Op {}

    record Fail(int owner) implements Op {}

    record Remove(int device) implements Op {}

    // ---------------------------------------------------------------- generators

    @Provide
    Arbitrary<Shape> shapes() {
        return Combinators.combine(Arbitraries.of(IommuKind.class), Arbitraries.integers().between(1, 8), Arbitraries.of(RoutingMode.class),
            Arbitraries.integers().between(1, 3), Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 12),
            Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 4)).as(Shape::new);
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> small = Arbitraries.integers().between(0, 7);
        Arbitrary<Op> send = Combinators.combine(small, small, small, Arbitraries.of(true, false, false), Arbitraries.of(true, false),
            Arbitraries.frequency(Tuple.of(12, Flavor.NORMAL), Tuple.of(1, Flavor.BAD_PERM), Tuple.of(1, Flavor.NON_CANONICAL))).as(Send::new);
        Arbitrary<Op> stop = Combinators.combine(small, small, small, Arbitraries.integers().between(0, Prgi.MAX)).as(Stop::new);
        Arbitrary<Op> drain = Arbitraries.integers().between(1, 6).map(Drain::new);
        Arbitrary<Op> answer = Combinators.combine(Arbitraries.integers().between(0, 15), Arbitraries.frequency(Tuple.of(8, 0), Tuple.of(3, 1), Tuple.of(1, 2)),
            Arbitraries.frequency(Tuple.of(9, false), Tuple.of(1, true))).as(Answer::new);
        Arbitrary<Op> detach = Combinators.combine(small, small, small).as(Detach::new);
        Arbitrary<Op> replace = Combinators.combine(small, small, small).as(Replace::new);
        Arbitrary<Op> reset = small.map(Reset::new);
        Arbitrary<Op> expire = Arbitraries.integers().between(10, 100).map(Expire::new);
        Arbitrary<Op> fail = small.map(Fail::new);
        Arbitrary<Op> remove = small.map(Remove::new);
        return Arbitraries.frequencyOf(Tuple.of(30, send), Tuple.of(3, stop), Tuple.of(14, drain), Tuple.of(12, answer),
            Tuple.of(4, detach), Tuple.of(3, replace), Tuple.of(2, reset), Tuple.of(3, expire), Tuple.of(1, fail), Tuple.of(1, remove))
            .list().ofMinSize(20).ofMaxSize(200);
    }

    // ---------------------------------------------------------------- properties

    @Property(tries = 600)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF) // coverage is still checked; a passing run stays quiet
    void everyClosedGroupGetsExactlyOneResponseAndTheCountsAddUp(@ForAll("shapes") Shape shape, @ForAll("ops") List<Op> ops) {
        World w = new World(shape);
        for (Op op : ops) {
            w.apply(op);
            w.checkStep(op);
        }
        w.reached();
        w.finish();
    }

    @Property(tries = 200)
    void interleavedGroupsAssembleIndependentlyAndDispatchOnceOnTheirLastRequest(
        @ForAll("groupSizes") List<Integer> sizes, @ForAll("seeds") long seed, @ForAll("kinds") IommuKind kind) {
        int rid = 0x100;
        UnitRig rig = new UnitRig(kind, 1024, RoutingMode.OWNER, rid).attach(rid, 1, 1);
        // group i has PRGI i; its requests go out in order, interleaved with the others' at random
        List<PageRequest> stream = new ArrayList<>();
        int[] sent = new int[sizes.size()];
        java.util.Random random = new java.util.Random(seed);
        int left = sizes.stream().mapToInt(Integer::intValue).sum();
        while (left > 0) {
            int g = random.nextInt(sizes.size());
            if (sent[g] == sizes.get(g)) continue;
            sent[g]++;
            left--;
            stream.add(new PageRequest(rid, 1, true, g, Faults.page(1000L * g + sent[g]), Permissions.READ, sent[g] == sizes.get(g), 0, g));
        }
        int dispatchedBefore = 0;
        for (PageRequest r : stream) {
            rig.send(r);
            // a group is handed over exactly when its L=1 request is processed, and not before
            assertThat(rig.out.dispatched).hasSize(dispatchedBefore + (r.last() ? 1 : 0));
            dispatchedBefore = rig.out.dispatched.size();
        }
        assertThat(rig.out.responses).isEmpty();
        assertThat(rig.out.dispatched).hasSize(sizes.size());
        for (PageRequestGroup g : rig.out.dispatched) {
            int i = g.prgi();
            assertThat(g.requestCount()).isEqualTo(sizes.get(i));
            for (int k = 0; k < g.requestCount(); k++) assertThat(g.request(k).address()).isEqualTo(Faults.page(1000L * i + k + 1));
        }
    }

    @Provide
    Arbitrary<List<Integer>> groupSizes() {
        return Arbitraries.integers().between(1, 6).list().ofMinSize(1).ofMaxSize(20);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Provide
    Arbitrary<IommuKind> kinds() {
        return Arbitraries.of(IommuKind.class);
    }

    // ---------------------------------------------------------------- the world

    /** One IOMMU unit, its devices with their checkers, owners that answer when told to, and a model of the attachments. */
    static final class World implements IommuOutput {
        private static final int DEVICE_OWNER_BASE = 1000;
        private static final long TIMEOUT = 50;

        final Shape s;
        final IommuCore core;
        final DeviceState[] devices;
        final DeviceChecker[] checkers;
        final int[][] rids;
        final Violations violations = new Violations();
        final OwnerChecker ownerChecker;
        final Map<Long, Integer> attached = new HashMap<>();
        final List<PageRequestGroup> inbox = new ArrayList<>();
        final Map<Long, Integer> responsesBySequence = new HashMap<>();
        final Set<Long> closedSequences = new HashSet<>();
        final Map<Integer, long[]> open = new HashMap<>(); // (device, function, prgi) -> {sequence, pasid, pasidPresent}
        long now;
        long nextSequence = 1;
        int nextIoasid;

        World(Shape s) {
            this.s = s;
            int functions = s.vfs() + 1;
            rids = new int[s.devices()][functions];
            int[] all = new int[s.devices() * functions];
            int[] deviceOwners = new int[all.length];
            devices = new DeviceState[s.devices()];
            checkers = new DeviceChecker[s.devices()];
            for (int d = 0; d < s.devices(); d++) {
                for (int f = 0; f < functions; f++) {
                    rids[d][f] = 0x100 + d * 8 + f;
                    all[d * functions + f] = rids[d][f];
                    deviceOwners[d * functions + f] = DEVICE_OWNER_BASE + d;
                }
                devices[d] = new DeviceState(rids[d], s.allocation());
                checkers[d] = new DeviceChecker(rids[d], s.allocation(), violations);
            }
            core = new IommuCore(0, s.kind(), s.depth(), s.mode(), all, deviceOwners, new RoutingTable(16, this::ownerOfIoasid), this);
            ownerChecker = new OwnerChecker(s.mode(), new OwnerChecker.Ownership() {
                @Override public int ownerOfIoasid(int ioasid) { return World.this.ownerOfIoasid(ioasid); }
                @Override public int ownerOfDevice(int rid) { return DEVICE_OWNER_BASE + deviceOf(rid); }
            }, violations);
            for (int d = 0; d < s.devices(); d++) {
                for (int f = 0; f < functions; f++) {
                    for (int p = 0; p <= s.pasids(); p++) {
                        // function 0 also has a RID-level attachment for requests without a PASID
                        if (p == s.pasids() && f != 0) continue;
                        attach(rids[d][f], pasidKey(p));
                    }
                }
            }
        }

        int ownerOfIoasid(int ioasid) { return ioasid % s.owners(); }

        int deviceOf(int rid) { return (rid - 0x100) / 8; }

        int pasidKey(int index) { return index == s.pasids() ? RoutingTable.NO_PASID : index + 1; }

        static long key(int rid, int pasid) { return ((long) rid << 21) | pasid; }

        private void attach(int rid, int pasid) {
            int io = nextIoasid++;
            // invariant 6 from the queue's side: whatever the PASID's earlier use left must be gone by the time it is reusable
            assertThat(core.attach(rid, pasid, io)).as("leftovers at attach").isNull();
            attached.put(key(rid, pasid), io);
        }

        private int openKey(int d, int f, int prgi) { return (d * 8 + f) * Prgi.COUNT + prgi; }

        void apply(Op op) {
            now++;
            if (op instanceof Send x) {
                send(x);
            } else if (op instanceof Stop x) {
                int d = x.device() % s.devices(), f = x.function() % rids[0].length;
                issue(d, PageRequest.stopMarker(rids[d][f], x.pasid() % s.pasids() + 1, x.prgi(), now));
            } else if (op instanceof Drain x) {
                core.drain(x.max(), now);
            } else if (op instanceof Answer x) {
                answer(x);
            } else if (op instanceof Detach x) {
                detachOrAttach(x);
            } else if (op instanceof Replace x) {
                replace(x);
            } else if (op instanceof Reset x) {
                reset(x.device() % s.devices());
            } else if (op instanceof Expire x) {
                now += x.advance();
                core.expire(now, TIMEOUT);
            } else if (op instanceof Fail x) {
                int handler = s.mode() == RoutingMode.OWNER ? x.owner() % s.owners() : DEVICE_OWNER_BASE + x.owner() % s.devices();
                core.handlerFailed(handler, AutoReason.HANDLER_FAILED, now);
            } else if (op instanceof Remove x) {
                for (int rid : rids[x.device() % s.devices()]) core.removeDevice(rid, now);
            }
        }

        private void replace(Replace x) {
            int d = x.device() % s.devices(), f = x.function() % rids[0].length, rid = rids[d][f];
            int pasid = pasidKey(x.pasid() % (s.pasids() + 1));
            Integer old = attached.get(key(rid, pasid));
            if (old != null) {
                int io = nextIoasid++;
                assertThat(core.replace(rid, pasid, io, now)).isEqualTo(old);
                attached.put(key(rid, pasid), io);
            } else {
                assertThatThrownBy(() -> core.replace(rid, pasid, 999_999, now)).isInstanceOf(IllegalStateException.class);
            }
        }

        private void send(Send x) {
            int d = x.device() % s.devices(), f = x.function() % rids[0].length, rid = rids[d][f];
            int prgi = -1;
            long[] g = null;
            if (!x.newGroup()) {
                for (int p = 0; p < Prgi.COUNT && g == null; p++) {
                    g = open.get(openKey(d, f, p));
                    if (g != null) prgi = p;
                }
            }
            if (g == null) {
                prgi = devices[d].allocatePrgi(f);
                if (prgi < 0) return;
                int pasidIndex = x.pasid() % (s.pasids() + 1);
                boolean present = pasidIndex != s.pasids();
                g = new long[] {nextSequence++, present ? pasidIndex + 1 : 0, present ? 1 : 0};
            }
            boolean present = g[2] == 1;
            int pasid = (int) g[1];
            Flavor flavor = x.flavor();
            // with a PASID, L=1 and R=W=0 is a stop marker, not a malformed request
            if (flavor == Flavor.BAD_PERM && present && x.last()) flavor = Flavor.NON_CANONICAL;
            int perm = flavor == Flavor.BAD_PERM ? Permissions.EXEC : Permissions.READ | Permissions.WRITE;
            long address = flavor == Flavor.NON_CANONICAL ? 0x0000_8000_0000_0000L : Faults.page(now);
            PageRequest r = new PageRequest(rid, pasid, present, prgi, address, perm, x.last(), now, g[0]);
            assertThat(r.isStopMarker()).isFalse();
            if (devices[d].issue(r) != DeviceState.Issue.ISSUED) return;
            // the model first: an overflowing unit answers inside offer()
            if (r.last()) {
                open.remove(openKey(d, f, prgi));
                closedSequences.add(g[0]);
            } else {
                open.put(openKey(d, f, prgi), g);
            }
            checkers[d].onIssued(r);
            core.offer(r, now);
        }

        private void issue(int d, PageRequest r) {
            if (devices[d].issue(r) != DeviceState.Issue.ISSUED) return;
            checkers[d].onIssued(r);
            core.offer(r, now);
        }

        private void answer(Answer x) {
            if (inbox.isEmpty()) return;
            int i = x.pick() % inbox.size();
            PageRequestGroup g = inbox.get(i);
            boolean pending = core.isOutstanding(g);
            if (x.wrongOwner()) {
                assertThat(core.respond(g, g.handler() + 1, ResponseCode.SUCCESS)).isNotNull();
                assertThat(core.isOutstanding(g)).isEqualTo(pending);
                return;
            }
            inbox.remove(i);
            RejectReason why = x.code() == 2
                ? core.respond(g.rid(), g.pasid(), g.prgi(), g.groupId(), g.handler(), ResponseCode.RESPONSE_FAILURE, AutoReason.HANDLER_FAILED)
                : core.respond(g, g.handler(), x.code() == 0 ? ResponseCode.SUCCESS : ResponseCode.INVALID);
            if (pending) assertThat(why).isNull(); else assertThat(why).isNotNull();
            assertThat(core.isOutstanding(g)).isFalse();
        }

        private void detachOrAttach(Detach x) {
            int d = x.device() % s.devices(), f = x.function() % rids[0].length, rid = rids[d][f];
            int pasid = pasidKey(x.pasid() % (s.pasids() + 1));
            if (attached.containsKey(key(rid, pasid))) {
                core.detach(rid, pasid, now);
                attached.remove(key(rid, pasid));
                // invariant 6: not reusable while the queue holds a request of it or VT-d's PRO is set
                if (core.queueHolds(rid, pasid)) assertThat(core.routing().isDraining(rid, pasid)).isTrue();
            } else if (core.routing().isDraining(rid, pasid)) {
                assertThatThrownBy(() -> core.attach(rid, pasid, 999_999)).isInstanceOf(IllegalStateException.class).hasMessageContaining("draining");
            } else {
                attach(rid, pasid);
            }
        }

        private void reset(int d) {
            checkers[d].onResetBegun();
            devices[d].beginReset();
            for (int rid : rids[d]) core.resetDevice(rid, now);
            if (checkers[d].resetting() && !devices[d].resetting()) checkers[d].onResetDone();
            for (Iterator<Integer> it = open.keySet().iterator(); it.hasNext(); ) if (it.next() / Prgi.COUNT / 8 == d) it.remove();
        }

        // ------------------------------------------------------------ what the unit asks for

        @Override
        public void dispatch(PageRequestGroup g) {
            assertThat(g.isClosed()).as("dispatched before L=1: %s", g).isTrue();
            assertThat(g.lastRequest().last()).isTrue();
            ownerChecker.onReceived(g.handler(), g);
            int pasid = g.pasidPresent() ? g.pasid() : RoutingTable.NO_PASID;
            assertThat(attached.get(key(g.rid(), pasid))).as("IOASID attached at the group's (RID, PASID): %s", g).isEqualTo(g.ioasid());
            int expected = s.mode() == RoutingMode.OWNER ? ownerOfIoasid(g.ioasid()) : DEVICE_OWNER_BASE + deviceOf(g.rid());
            assertThat(g.handler()).as("handler of %s", g).isEqualTo(expected);
            inbox.add(g);
        }

        @Override
        public void respond(PageRequestGroup g) {
            assertThat(g.lastRequest()).as("answered without a last request: %s", g).isNotNull();
            assertThat(g.lastRequest().isStopMarker()).as("a stop marker was answered: %s", g).isFalse();
            assertThat(closedSequences).as("answered a group never closed: %s", g).contains(g.sequence());
            responsesBySequence.merge(g.sequence(), 1, Integer::sum);
            int d = deviceOf(g.rid());
            checkers[d].onResponse(g);
            devices[d].onResponse(g);
            if (checkers[d].resetting() && !devices[d].resetting()) checkers[d].onResetDone();
        }

        // ------------------------------------------------------------ checks

        void checkStep(Op op) {
            for (int d = 0; d < devices.length; d++) {
                assertThat(devices[d].creditsInUse()).as("credits of device %d after %s", d, op).isBetween(0, s.allocation());
                assertThat(checkers[d].inFlight()).isEqualTo(devices[d].creditsInUse());
            }
            assertThat(core.queueDepth()).isBetween(0, s.depth());
            assertThat(violations.none()).as("after %s: %s", op, violations).isTrue();
            for (var e : responsesBySequence.entrySet()) assertThat(e.getValue()).as("responses to group %d", e.getKey()).isEqualTo(1);
        }

        /** What this run got to before the final teardown: the generators must reach each of these often enough. */
        void reached() {
            OutcomeLedger l = core.ledger();
            long priDisabled = 0;
            for (DeviceState d : devices) priDisabled += d.ledger().dropped(DropReason.PRI_DISABLED);
            reached("queue overflowed", l.overflowEvents > 0, 30);
            reached("hardware answered a group on overflow", l.autoSent[AutoReason.QUEUE_OVERFLOW.ordinal()] > 0, 25);
            reached("requests discarded without an answer", l.dropped(DropReason.PARTIAL_DISCARDED) > 0, 20);
            reached("malformed request", l.autoSent[AutoReason.MALFORMED.ordinal()] + l.dropped(DropReason.MALFORMED) > 0, 40);
            reached("no handler", l.autoSent[AutoReason.NO_HANDLER.ordinal()] > 0, 12);
            reached("group answered by its handler", l.groupsDispatched > 0 && sum(l.answeredSent) > 0, 25);
            reached("detach answered pending groups", l.autoSent[AutoReason.DETACHED.ordinal()] > 0, 2);
            reached("replace answered pending groups", l.autoSent[AutoReason.REPLACED.ordinal()] > 0, 0.5);
            reached("PASID drained after detach", l.pasidsDrained > 0, 30);
            reached("timeout", l.autoSent[AutoReason.TIMEOUT.ordinal()] > 0, 3);
            reached("Response Failure", l.autoSent[AutoReason.HANDLER_FAILED.ordinal()] > 0, 5);
            reached("device refused a request after Response Failure", priDisabled > 0, 4);
            reached("response rejected", l.responsesRejected() > 0, 12);
            reached("stop marker consumed", l.stopMarkersConsumed > 0, 20);
        }

        private static void reached(String what, boolean yes, double minPercent) {
            Statistics.label(what).collect(yes);
            Statistics.label(what).coverage(c -> c.check(true).percentage(p -> p >= minPercent));
        }

        private static long sum(long[] a) {
            long s = 0;
            for (long x : a) s += x;
            return s;
        }

        void finish() {
            for (int d = 0; d < devices.length; d++) reset(d);
            core.answerAll(AutoReason.SHUTDOWN, ++now);
            assertThat(core.queueDepth()).isZero();
            assertThat(core.outstandingCount()).isZero();
            OutcomeLedger total = core.ledger().copy();
            for (int d = 0; d < devices.length; d++) {
                assertThat(devices[d].resetting()).isFalse();
                assertThat(devices[d].priEnabled()).isTrue();
                assertThat(devices[d].creditsInUse()).isZero();
                assertThat(devices[d].groupsOutstanding()).isZero();
                assertThat(checkers[d].inFlight()).isZero();
                assertThat(checkers[d].outstandingGroups()).isZero();
                checkers[d].finish(violations);
                total.merge(devices[d].ledger());
            }
            LedgerCheck.check(total, 0, 0, true, violations);
            assertThat(violations.none()).as(violations.toString()).isTrue();
            assertThat(violations.count(Invariant.OUTCOMES_ADD_UP)).isZero();
            assertThat(responsesBySequence.keySet()).isEqualTo(closedSequences);
            assertThat(responsesBySequence.values()).allMatch(n -> n == 1);
            assertThat(total.groupsIssued).isEqualTo(closedSequences.size());
            assertThat(total.groupsCompleted()).isEqualTo(closedSequences.size());
            assertThat(total.responsesRejected()).isGreaterThanOrEqualTo(0);
        }
    }
}
