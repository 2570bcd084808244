package io.faultfabric.loadgen.fault;

import io.faultfabric.actors.FabricContext;
import io.faultfabric.actors.IoasidOwner;
import io.faultfabric.actors.IommuUnit;
import io.faultfabric.actors.ServiceClock;
import io.faultfabric.engine.Mix;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.Pasid;
import io.faultfabric.engine.Prgi;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.loadgen.scenario.Fault;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.BitSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The message faults (DropResponse, DuplicateResponse, ForgedResponse, Delay, Reorder) on the leg between IOMMU units
 * and handlers: installed as the fabric's {@link FabricContext.Interposer} while at least one is active. Each message
 * is matched against the active rules in the order they struck; the first whose owner set holds the message's handler
 * and whose seeded draw hits decides what happens to it. Decisions hash the group's identity with the seed, so a run is
 * reproducible whatever the threads do. Called from many actors at once: rules are immutable, counts are adders.
 */
final class MessageFaults implements FabricContext.Interposer {

    /** One active message fault: on which owners (null: all), its draw, and what it did. */
    static final class Rule {
        final Fault fault;
        final BitSet owners;
        final long salt;
        final LongAdder seen = new LongAdder();
        final LongAdder hit = new LongAdder();

        Rule(Fault fault, BitSet owners, long salt) {
            this.fault = fault;
            this.owners = owners;
            this.salt = salt;
        }

        boolean covers(int owner) {
            return owners == null || owners.get(owner);
        }

        boolean draws(PageRequestGroup g, int leg) {
            seen.increment();
            boolean yes = Mix.unit(Mix.hash(salt + leg, g.rid(), g.sequence(), g.prgi() | ((long) g.pasid() << 9))) < fault.perMessage();
            if (yes) hit.increment();
            return yes;
        }

        /** What it did, for the report. */
        String effect() {
            String what = switch (fault.kind()) {
                case "DropResponse" -> "answers dropped";
                case "DuplicateResponse" -> "answers sent twice";
                case "ForgedResponse" -> "forged answers sent";
                case "Delay" -> "messages delayed";
                default -> "messages held back";
            };
            return String.format(java.util.Locale.ROOT, "%,d of %,d %s", hit.sum(), seen.sum(), what);
        }
    }

    private final FabricContext ctx;
    private final ServiceClock clock;
    private final int owners;
    private final CopyOnWriteArrayList<Rule> rules = new CopyOnWriteArrayList<>();

    MessageFaults(FabricContext ctx, ServiceClock clock, int owners) {
        this.ctx = ctx;
        this.clock = clock;
        this.owners = owners;
    }

    /** Starts a rule; the first one puts this interposer on the fabric. */
    synchronized void add(Rule r) {
        rules.add(r);
        if (rules.size() == 1) ctx.interposer(this);
    }

    /** Ends a rule; with none left, messages go straight again. */
    synchronized void remove(Rule r) {
        rules.remove(r);
        if (rules.isEmpty()) ctx.interposer(null);
    }

    private static final int DISPATCH = 1, ANSWER = 2;

    @Override
    public void dispatch(PageRequestGroup g, ActorRef<IoasidOwner.Command> handler, IoasidOwner.Fault fault) {
        // only the timing faults act on hand-overs: losing or forging one is not a fault of the owner
        for (Rule r : rules) {
            Fault f = r.fault;
            if ((f instanceof Fault.Delay || f instanceof Fault.Reorder) && r.covers(g.handler()) && r.draws(g, DISPATCH)) {
                clock.schedule(delayNanos(r, g, DISPATCH), handler, fault);
                return;
            }
        }
        handler.tell(fault);
    }

    @Override
    public void answer(PageRequestGroup g, int from, ActorRef<IommuUnit.Command> unit, IommuUnit.Command answer) {
        for (Rule r : rules) {
            if (!r.covers(from) || !r.draws(g, ANSWER)) continue;
            Fault f = r.fault;
            if (f instanceof Fault.DropResponse) return;
            if (f instanceof Fault.DuplicateResponse) {
                unit.tell(answer);
                unit.tell(answer);
                return;
            }
            if (f instanceof Fault.ForgedResponse forged) {
                // the forgery goes first, so that the group it names is still outstanding when the unit judges it
                unit.tell(forge(forged.forgery(), g, from, answer));
                unit.tell(answer);
                return;
            }
            clock.schedule(delayNanos(r, g, ANSWER), unit, answer);
            return;
        }
        unit.tell(answer);
    }

    private IommuUnit.Command forge(Fault.Forgery forgery, PageRequestGroup g, int from, IommuUnit.Command answer) {
        ResponseCode code = answer instanceof IommuUnit.Answer a ? a.code() : ResponseCode.SUCCESS;
        return switch (forgery) {
            case PRGI -> new IommuUnit.RawAnswer(g.rid(), g.pasid(), (g.prgi() + 1) & Prgi.MAX, g.groupId(), from, code);
            case PASID -> new IommuUnit.RawAnswer(g.rid(), g.pasid() == Pasid.MAX ? 0 : g.pasid() + 1, g.prgi(), g.groupId(), from, code);
            case OWNER -> new IommuUnit.RawAnswer(g.rid(), g.pasid(), g.prgi(), g.groupId(), (from + 1) % owners, code);
        };
    }

    private static long delayNanos(Rule r, PageRequestGroup g, int leg) {
        long h = Mix.hash(r.salt ^ 0x6A09E667F3BCC909L, g.rid(), g.sequence(), leg);
        if (r.fault instanceof Fault.Delay d) return d.latency().sampleNanos(h);
        return (long) (Mix.unit(h) * ((Fault.Reorder) r.fault).window().toNanos());
    }
}
