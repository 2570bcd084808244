package io.faultfabric.loadgen.fault;

import io.faultfabric.loadgen.run.Blocking;

import io.faultfabric.actors.FabricContext;
import io.faultfabric.actors.IoasidOwner;
import io.faultfabric.actors.IommuUnit;
import io.faultfabric.actors.VIommu;
import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.DropReason;
import io.faultfabric.engine.Mix;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.Rid;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.loadgen.report.RunReport.FaultWindow;
import io.faultfabric.loadgen.scenario.Fault;
import io.faultfabric.loadgen.scenario.FaultSpec;
import io.faultfabric.streams.FaultFabric;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Applies a scenario's faults to a running fabric on their schedules. Every strike picks its targets with a draw seeded
 * by the run's seed, the fault's position and the strike's number (reproducible), is logged at INFO when it starts and
 * when it ends, and becomes a {@link FaultWindow} of the report. {@link #stop()} cancels what has not struck and heals
 * what is active, so that the fabric can drain with every group answered; that is the point of the exercise.
 *
 * <p>All strikes run on the injector's own thread, one at a time: control that needs an answer (a reset, an attach)
 * waits for it there, never on the fabric's dispatcher.
 */
public final class FaultInjector {
    private static final Logger log = LoggerFactory.getLogger(FaultInjector.class);
    private static final Duration ASK = Duration.ofSeconds(30);
    private static final int SHOWN_TARGETS = 8;

    private final List<FaultSpec> specs;
    private final long seed;
    private final FaultFabric fabric;
    private final ActorSystem<?> system;
    private final FabricContext ctx;
    private final Topology topology;
    private final IntFunction<FaultPolicy> policies;
    private final long startNanos;
    private final ScheduledExecutorService thread;
    private final MessageFaults messages;
    private final List<ScheduledFuture<?>> pending = new ArrayList<>();
    private final List<Active> active = new ArrayList<>();
    private final List<FaultWindow> windows = new ArrayList<>();
    private final EnumMap<Fault.Target, Set<Integer>> busy = new EnumMap<>(Fault.Target.class);
    private boolean stopped;

    private FaultInjector(List<FaultSpec> specs, long seed, FaultFabric fabric, ActorSystem<?> system, IntFunction<FaultPolicy> policies,
                          long startNanos) {
        this.specs = List.copyOf(specs);
        this.seed = seed;
        this.fabric = fabric;
        this.system = system;
        this.ctx = fabric.context();
        this.topology = fabric.topology();
        this.policies = policies;
        this.startNanos = startNanos;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "faultfabric-faults");
            t.setDaemon(true);
            return t;
        });
        this.messages = new MessageFaults(ctx, ctx.serviceClock(system), ownerActors());
        for (Fault.Target t : Fault.Target.values()) busy.put(t, new HashSet<>());
    }

    /**
     * Schedules every fault of {@code specs} from {@code startNanos} (System.nanoTime of the load's start).
     *
     * @param policies each owner's own policy, which SlowOwner and WrongAnswers change for their window and restore
     */
    public static FaultInjector start(List<FaultSpec> specs, long seed, FaultFabric fabric, ActorSystem<?> system,
                                      IntFunction<FaultPolicy> policies, long startNanos) {
        FaultInjector f = new FaultInjector(specs, seed, fabric, system, policies, startNanos);
        synchronized (f) {
            for (int i = 0; i < f.specs.size(); i++) f.schedule(i, 0);
        }
        return f;
    }

    /** Cancels strikes still to come and heals every active one; returns every window, in the order they started. */
    public List<FaultWindow> stop() {
        CompletableFuture<List<FaultWindow>> done = new CompletableFuture<>();
        thread.execute(() -> {
            synchronized (this) {
                stopped = true;
                pending.forEach(p -> p.cancel(false));
                pending.clear();
                for (Active a : List.copyOf(active)) end(a);
                List<FaultWindow> all = new ArrayList<>(windows);
                all.sort(Comparator.comparingDouble(FaultWindow::startSeconds));
                done.complete(all);
            }
        });
        try {
            return done.get(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while healing the faults", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the faults could not be healed: " + e, e);
        } finally {
            thread.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- scheduling

    private void schedule(int spec, int strike) {
        FaultSpec s = specs.get(spec);
        long due = s.at().toNanos() + (s.every().isPresent() ? strike * s.every().get().toNanos() : 0);
        long delay = Math.max(0, startNanos + due - System.nanoTime());
        pending.add(thread.schedule(() -> strike(spec, strike), delay, TimeUnit.NANOSECONDS));
    }

    private synchronized void strike(int spec, int strike) {
        if (stopped) return;
        FaultSpec s = specs.get(spec);
        if (s.every().isPresent()) schedule(spec, strike + 1);
        SplittableRandom draw = new SplittableRandom(Mix.hash(seed, 0x46415554L, spec, strike));
        String name = s.kind();
        if (s.probability() < 1 && draw.nextDouble() >= s.probability()) {
            log.info("fault {} strike {} at {}: skipped (probability {})", name, strike + 1, seconds(), s.probability());
            return;
        }
        int[] targets = pick(s, draw);
        if (targets.length == 0) {
            log.info("fault {} strike {} at {}: skipped, every one of the {} is struck by another fault", name, strike + 1, seconds(),
                s.fault().target().plural());
            return;
        }
        Active a = new Active(s, strike + 1, targets, System.nanoTime());
        String what = describeTargets(s.fault(), targets);
        log.info("fault {} strike {} starts at {}: {}{}", name, a.strike, seconds(), what, s.fault().parameters().isEmpty() ? ""
            : " (" + s.fault().parameters() + ")");
        String effect;
        try {
            effect = begin(a);
        } catch (RuntimeException e) {
            log.warn("fault {} strike {} could not start: {}", name, a.strike, e.toString());
            effect = "could not start: " + e.getMessage();
        }
        if (!s.fault().lasting()) {
            // an instantaneous fault ends when what it did is done (a reset, when the device has PRI back)
            a.detail = "strike " + a.strike + ": " + what;
            record(a, System.nanoTime(), effect);
            log.info("fault {} strike {} ends at {}{}", name, a.strike, seconds(), effect.isEmpty() ? "" : ": " + effect);
            return;
        }
        a.detail = "strike " + a.strike + ": " + what + (effect.isEmpty() ? "" : "; " + effect);
        if (!(s.fault().perMessage() > 0)) for (int t : targets) busy.get(s.fault().target()).add(t);
        active.add(a);
        s.duration().ifPresent(d -> a.end = thread.schedule(() -> {
            synchronized (this) {
                if (active.contains(a)) end(a);
            }
        }, d.toNanos(), TimeUnit.NANOSECONDS));
    }

    private void end(Active a) {
        if (a.end != null) a.end.cancel(false);
        active.remove(a);
        String effect;
        try {
            effect = heal(a);
        } catch (RuntimeException e) {
            log.warn("fault {} strike {} could not be healed: {}", a.spec.kind(), a.strike, e.toString());
            effect = "could not be healed: " + e.getMessage();
        }
        for (int t : a.targets) busy.get(a.spec.fault().target()).remove(t);
        record(a, System.nanoTime(), effect);
        log.info("fault {} strike {} ends at {}{}", a.spec.kind(), a.strike, seconds(), effect.isEmpty() ? "" : ": " + effect);
    }

    private void record(Active a, long endNanos, String effect) {
        windows.add(new FaultWindow(a.spec.kind(), Math.max(0, (a.startNanos - startNanos) / 1e9), Math.max(0, (endNanos - startNanos) / 1e9),
            a.detail + (effect.isEmpty() ? "" : "; " + effect)));
    }

    private String seconds() {
        return String.format(Locale.ROOT, "%.3f s", (System.nanoTime() - startNanos) / 1e9);
    }

    /** One strike: what it hit, and what it needs to be healed. */
    private static final class Active {
        final FaultSpec spec;
        final int strike;
        final int[] targets;
        final long startNanos;
        String detail = "";
        ScheduledFuture<?> end;
        Object state;

        Active(FaultSpec spec, int strike, int[] targets, long startNanos) {
            this.spec = spec;
            this.strike = strike;
            this.targets = targets;
            this.startNanos = startNanos;
        }
    }

    // ---------------------------------------------------------------- targets

    private int ownerActors() {
        return topology.mode() == RoutingMode.DEVICE ? topology.ownerCount() : topology.ioasidOwnerCount();
    }

    /** The vIOMMUs some GUEST owner sits behind: the only ones spawned. */
    private int[] guests() {
        BitSet used = new BitSet(topology.viommuCount());
        for (int o = 0; o < topology.ioasidOwnerCount(); o++) if (topology.ownerViommu(o) >= 0) used.set(topology.ownerViommu(o));
        return used.stream().toArray();
    }

    private int targetCount(Fault.Target t) {
        return switch (t) {
            case OWNERS -> ownerActors();
            case GUESTS -> guests().length;
            case DEVICES -> topology.deviceCount();
            case IOMMUS -> topology.iommuCount();
            case PASIDS -> topology.pasidCount();
        };
    }

    /** A seeded share of the fault's targets, none that another lasting fault holds; message faults without a fraction: all owners. */
    private int[] pick(FaultSpec s, SplittableRandom draw) {
        Fault.Target t = s.fault().target();
        int n = targetCount(t);
        if (s.fault().perMessage() > 0 && s.fraction().isEmpty()) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        int k = s.fraction().isPresent() ? (int) Math.max(1, Math.round(s.fraction().getAsDouble() * n)) : 1;
        Set<Integer> taken = busy.get(t);
        int free = n - taken.size();
        k = Math.min(k, free);
        int[] out = new int[k];
        if (k == 0) return out;
        if (k * 2L > free) {
            // most of them: shuffle the free ones
            int[] pool = new int[free];
            for (int i = 0, j = 0; i < n; i++) if (!taken.contains(i)) pool[j++] = i;
            for (int i = 0; i < k; i++) {
                int j = i + draw.nextInt(free - i);
                int x = pool[i];
                pool[i] = pool[j];
                pool[j] = x;
                out[i] = pool[i];
            }
        } else {
            Set<Integer> chosen = new HashSet<>();
            for (int i = 0; i < k; ) {
                int c = draw.nextInt(n);
                if (!taken.contains(c) && chosen.add(c)) out[i++] = c;
            }
        }
        java.util.Arrays.sort(out);
        if (t == Fault.Target.GUESTS) {
            int[] g = guests();
            for (int i = 0; i < out.length; i++) out[i] = g[out[i]];
        }
        return out;
    }

    private String describeTargets(Fault f, int[] targets) {
        int n = targetCount(f.target());
        if (f.perMessage() > 0 && targets.length == n) return "all " + String.format(Locale.ROOT, "%,d", n) + " " + f.target().plural();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%,d of %,d %s: ", targets.length, n, f.target().plural()));
        for (int i = 0; i < Math.min(SHOWN_TARGETS, targets.length); i++) {
            if (i > 0) b.append(", ");
            b.append(targetName(f.target(), targets[i]));
        }
        if (targets.length > SHOWN_TARGETS) b.append(", ...");
        return b.toString();
    }

    private String targetName(Fault.Target t, int i) {
        return switch (t) {
            case OWNERS -> "owner " + i;
            case GUESTS -> "vIOMMU " + i;
            case DEVICES -> "device " + i + " (" + new Rid(topology.devicePfRid(i)) + ")";
            case IOMMUS -> "IOMMU " + i;
            case PASIDS -> {
                Handle h = handle(i);
                yield "pasid " + h.pasid + " of " + new Rid(h.rid);
            }
        };
    }

    /** An attached (RID, PASID) of the topology, by its index among all of them, with the IOASID the topology attaches there. */
    private record Handle(int device, int rid, int pasid, int ioasid) {}

    private Handle handle(int index) {
        for (int d = 0; d < topology.deviceCount(); d++) {
            int perFunction = topology.pasidsPerFunction(d);
            int here = perFunction * topology.deviceFunctionCount(d);
            if (index < here) {
                int f = index / perFunction;
                int i = index % perFunction;
                return new Handle(d, topology.deviceRids(d)[f], topology.pasidOf(d, i), topology.ioasidOf(d, f, i));
            }
            index -= here;
        }
        throw new IllegalArgumentException("no attached PASID has index " + index);
    }

    // ---------------------------------------------------------------- what each kind does

    /** Applies the strike; returns what it did at once (empty when nothing worth saying). */
    private String begin(Active a) {
        Fault f = a.spec.fault();
        if (f instanceof Fault.OwnerCrash) {
            for (int o : a.targets) ctx.owner(o).tell(new IoasidOwner.Crash("fault injection, strike " + a.strike));
            return "";
        }
        if (f instanceof Fault.OwnerHang) {
            for (int o : a.targets) ctx.owner(o).tell(new IoasidOwner.Hang(true));
            return "";
        }
        if (f instanceof Fault.SlowOwner slow) {
            for (int o : a.targets) ctx.owner(o).tell(new IoasidOwner.SetPolicy(policies.apply(o).withServiceTime(slow.latency())));
            return "";
        }
        if (f instanceof Fault.WrongAnswers wrong) {
            for (int o : a.targets) {
                FaultPolicy p = policies.apply(o);
                double failure = wrong.ratio();
                ctx.owner(o).tell(new IoasidOwner.SetPolicy(new FaultPolicy(p.serviceTime(), Math.min(p.invalidRatio(), 1 - failure), failure,
                    p.queueCapacity())));
            }
            return "";
        }
        if (f.perMessage() > 0) {
            BitSet owners = null;
            if (a.targets.length < ownerActors()) {
                owners = new BitSet(ownerActors());
                for (int o : a.targets) owners.set(o);
            }
            MessageFaults.Rule rule = new MessageFaults.Rule(f, owners, Mix.hash(seed, 0x4D455353L, specs.indexOf(a.spec), a.strike));
            messages.add(rule);
            a.state = rule;
            return "";
        }
        if (f instanceof Fault.GuestHang) {
            for (int v : a.targets) ctx.viommu(v).tell(new VIommu.Hang(true));
            return "";
        }
        if (f instanceof Fault.GuestSlow slow) {
            for (int v : a.targets) ctx.viommu(v).tell(new VIommu.Slow(slow.extra()));
            return "";
        }
        if (f instanceof Fault.VirtualQueueOverflow flood) {
            for (int v : a.targets) ctx.viommu(v).tell(new VIommu.Flood((int) Math.ceil(flood.fill() * topology.viommuQueueDepth(v))));
            return "";
        }
        if (f instanceof Fault.PrqOverflowStorm) {
            a.state = iommuLedgers(a.targets);
            for (int u : a.targets) control(ctx.iommu(u), ref -> new IommuUnit.Stall(true, ref));
            return "";
        }
        if (f instanceof Fault.IommuRestart) {
            OutcomeLedger[] before = iommuLedgers(a.targets);
            for (int u : a.targets) control(ctx.iommu(u), IommuUnit.Restart::new);
            OutcomeLedger[] after = iommuLedgers(a.targets);
            long answered = 0;
            long dropped = 0;
            for (int i = 0; i < a.targets.length; i++) {
                answered += after[i].autoSent[AutoReason.IOMMU_RESTART.ordinal()] - before[i].autoSent[AutoReason.IOMMU_RESTART.ordinal()];
                dropped += after[i].dropped(DropReason.IOMMU_RESTART) - before[i].dropped(DropReason.IOMMU_RESTART);
            }
            return answered + " groups answered IOMMU_RESTART, " + dropped + " requests dropped";
        }
        if (f instanceof Fault.DeviceReset) {
            for (int d : a.targets) await(fabric.resetDevice(topology.devicePfRid(d)));
            return "";
        }
        if (f instanceof Fault.PriDisabledByFailure) {
            for (int d : a.targets) control(ctx.iommu(topology.deviceIommu(d)), ref -> new IommuUnit.FailGroups(topology.devicePfRid(d), ref));
            Duration recovery = ctx.driverRecovery();
            return recovery == null ? "PRI stays off: no driver recovery" : "the driver resets it after " + recovery.toMillis() + " ms";
        }
        if (f instanceof Fault.HotUnplug) {
            for (int d : a.targets) {
                for (int rid : topology.deviceRids(d)) control(ctx.iommu(topology.deviceIommu(d)), ref -> new IommuUnit.RemoveDevice(rid, ref));
            }
            return "";
        }
        if (f instanceof Fault.PasidTeardown) {
            List<CompletableFuture<Long>> drained = new ArrayList<>();
            for (int i : a.targets) {
                Handle h = handle(i);
                long t0 = System.nanoTime();
                // the unit tells the owners (and in DEVICE mode the device's owner) of the detach before it replies
                drained.add(fabric.stopPasid(h.rid, h.pasid).toCompletableFuture().thenApply(done -> System.nanoTime() - t0));
            }
            a.state = drained;
            return "";
        }
        if (f instanceof Fault.OwnerReplace) {
            StringBuilder b = new StringBuilder();
            for (int i : a.targets) {
                Handle h = handle(i);
                int other = otherOwnersIoasid(h.ioasid);
                await(fabric.replace(h.rid, h.pasid, other));
                if (b.length() == 0) b.append("ioasid ").append(h.ioasid).append(" (owner ").append(topology.ownerOfIoasid(h.ioasid))
                    .append(") replaced by ").append(other).append(" (owner ").append(topology.ownerOfIoasid(other)).append(')');
            }
            if (a.targets.length > 1) b.append(" and ").append(a.targets.length - 1).append(" more");
            return b.toString();
        }
        throw new IllegalStateException("no injector for " + f.kind());
    }

    /** Heals a lasting strike; returns what happened during it. */
    @SuppressWarnings("unchecked")
    private String heal(Active a) {
        Fault f = a.spec.fault();
        if (f instanceof Fault.OwnerHang) {
            for (int o : a.targets) ctx.owner(o).tell(new IoasidOwner.Hang(false));
            return "";
        }
        if (f instanceof Fault.SlowOwner || f instanceof Fault.WrongAnswers) {
            for (int o : a.targets) ctx.owner(o).tell(new IoasidOwner.SetPolicy(null));
            return "";
        }
        if (f.perMessage() > 0) {
            MessageFaults.Rule rule = (MessageFaults.Rule) a.state;
            messages.remove(rule);
            return rule.effect();
        }
        if (f instanceof Fault.GuestHang) {
            for (int v : a.targets) ctx.viommu(v).tell(new VIommu.Hang(false));
            return "";
        }
        if (f instanceof Fault.GuestSlow) {
            for (int v : a.targets) ctx.viommu(v).tell(new VIommu.Slow(Duration.ZERO));
            return "";
        }
        if (f instanceof Fault.VirtualQueueOverflow) {
            for (int v : a.targets) ctx.viommu(v).tell(new VIommu.Flood(0));
            return "";
        }
        if (f instanceof Fault.PrqOverflowStorm) {
            for (int u : a.targets) control(ctx.iommu(u), ref -> new IommuUnit.Stall(false, ref));
            OutcomeLedger[] before = (OutcomeLedger[]) a.state;
            OutcomeLedger[] after = iommuLedgers(a.targets);
            long overflows = 0;
            long autoAnswered = 0;
            long dropped = 0;
            for (int i = 0; i < a.targets.length; i++) {
                overflows += after[i].overflowEvents - before[i].overflowEvents;
                autoAnswered += after[i].autoSent[AutoReason.QUEUE_OVERFLOW.ordinal()] - before[i].autoSent[AutoReason.QUEUE_OVERFLOW.ordinal()];
                for (DropReason r : List.of(DropReason.PRQ_OVERFLOW, DropReason.PRIQ_OVERFLOW, DropReason.STOP_MARKER_OVERFLOW)) {
                    dropped += after[i].dropped(r) - before[i].dropped(r);
                }
            }
            return "queue overflowed " + overflows + " times, " + autoAnswered + " groups answered QUEUE_OVERFLOW, " + dropped + " requests dropped";
        }
        if (f instanceof Fault.HotUnplug) {
            for (int d : a.targets) {
                for (int rid : topology.deviceRids(d)) control(ctx.iommu(topology.deviceIommu(d)), ref -> new IommuUnit.AddDevice(rid, ref));
            }
            return "plugged back";
        }
        if (f instanceof Fault.PasidTeardown) {
            List<CompletableFuture<Long>> drained = (List<CompletableFuture<Long>>) a.state;
            long slowest = 0;
            for (int k = 0; k < a.targets.length; k++) {
                slowest = Math.max(slowest, await(drained.get(k)));
                Handle h = handle(a.targets[k]);
                await(fabric.attach(h.rid, h.pasid, h.ioasid)); // only now: the drain is done
            }
            return "drained in " + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms at most, attached again";
        }
        if (f instanceof Fault.OwnerReplace) {
            for (int i : a.targets) {
                Handle h = handle(i);
                await(fabric.replace(h.rid, h.pasid, h.ioasid));
            }
            return "replaced back";
        }
        return "";
    }

    private int otherOwnersIoasid(int ioasid) {
        int n = topology.ioasidCount();
        for (int k = 1; k < n; k++) {
            int j = (ioasid + k) % n;
            if (topology.ownerOfIoasid(j) != topology.ownerOfIoasid(ioasid)) return j;
        }
        return (ioasid + 1) % n;
    }

    private OutcomeLedger[] iommuLedgers(int[] units) {
        OutcomeLedger[] out = new OutcomeLedger[units.length];
        for (int i = 0; i < units.length; i++) {
            out[i] = await(AskPattern.<IommuUnit.Command, IommuUnit.Snapshot>ask(ctx.iommu(units[i]), IommuUnit.GetSnapshot::new, ASK,
                system.scheduler())).ledger();
        }
        return out;
    }

    private void control(ActorRef<IommuUnit.Command> unit, Function<ActorRef<StatusReply<Done>>, IommuUnit.Command> make) {
        StatusReply<Done> r = await(AskPattern.<IommuUnit.Command, StatusReply<Done>>ask(unit, make::apply, ASK, system.scheduler()));
        if (r.isError()) throw new IllegalStateException(r.getError().getMessage());
    }

    private static <T> T await(CompletionStage<T> stage) {
        return Blocking.await(stage, ASK.multipliedBy(2));
    }
}
