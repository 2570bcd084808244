package io.faultfabric.loadgen.study;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.faultfabric.actors.FabricSettings;
import io.faultfabric.actors.IoasidOwner;
import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import io.faultfabric.engine.workload.LoadProfile;
import io.faultfabric.streams.FabricSnapshot;
import io.faultfabric.streams.FaultFabric;
import io.faultfabric.streams.LoadRun;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Runs one {@link StudyPoint} on the embedded actor fabric and measures it per owner. */
final class StudyRun {
    static final int DEVICES = 2;
    static final int ALLOCATION = 256;
    static final double SLOW_FACTOR = 2.0;
    static final double IMPAIRED_FACTOR = 10.0;
    static final long RELAY_NANOS = 2_000;
    static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(250);
    /** The stalls points' SMMUv3 event queue; the stalling device's limit is {@link #ALLOCATION}, like the PRI credits. */
    static final int EVENT_QUEUE_DEPTH = 2048;

    private StudyRun() {}

    /** Mean service time of a healthy owner such that the offered rate loads each owner to {@code load}. */
    static long serviceNanos(StudyPoint p, double ratePerSecond) {
        int owners = DEVICES * p.ownersPerDevice();
        return Math.max(1, (long) (p.load() * owners / ratePerSecond * 1e9));
    }

    /** Owners alternate host process / guest; each guest is its own VM with its own vIOMMU. */
    static int guests(StudyPoint p) {
        return Math.max(1, DEVICES * p.ownersPerDevice() / 2);
    }

    static boolean slow(StudyPoint p, int owner) {
        // spread evenly over owners and devices, never party 0 (it is the impaired one)
        if (p.slowShare() <= 0 || owner == 0) return false;
        int k = (int) Math.round(1 / p.slowShare());
        return owner % Math.max(1, k) == (k > 1 ? 1 : 0);
    }

    static StudyResult run(StudyPoint p, double ratePerSecond, Duration duration) {
        // a stalls point: one SMMUv3 unit whose device 0 stalls (at most ALLOCATION transactions, as the PRI device's credits)
        UniformTopology u = new UniformTopology(1, p.stalls() ? IommuKind.SMMUV3 : IommuKind.VTD, 2048, DEVICES, 0, DEVICES * p.pasidsPerDevice(), ALLOCATION,
            p.pasidsPerDevice() / p.ownersPerDevice(), UniformTopology.Assignment.CONTIGUOUS,
            p.guests() ? List.of(OwnerKind.HOST_SVA, OwnerKind.GUEST) : List.of(OwnerKind.HOST_SVA), p.guests() ? guests(p) : 0, 512, p.mode(),
            p.stalls() ? 1 : 0, ALLOCATION, EVENT_QUEUE_DEPTH);
        Topology t = u.build();
        long s = serviceNanos(p, ratePerSecond);
        int ioasidOwners = t.ioasidOwnerCount();
        FaultPolicy relay = new FaultPolicy(ServiceTime.constant(RELAY_NANOS), 0, 0, 4096);
        IntFunction<FaultPolicy> policies = o -> {
            if (o >= ioasidOwners) return relay;
            long mean = slow(p, o) ? (long) (s * SLOW_FACTOR) : s;
            return new FaultPolicy(ServiceTime.exponential(mean), 0, 0, 4096);
        };
        Config config = ConfigFactory.parseString("faultfabric.response-timeout = " + RESPONSE_TIMEOUT.toMillis() + "ms\n"
            + "pekko.loglevel = WARNING\npekko.log-dead-letters = off\n").withFallback(ConfigFactory.load());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "study", config);
        try {
            OwnerLatencies perOwner = new OwnerLatencies(t);
            FaultFabric fabric = FaultFabric.builder(system, t).settings(FabricSettings.fromConfig(config)).seed(p.seed())
                .policies(policies).observeGroups(perOwner).start().toCompletableFuture().get(2, TimeUnit.MINUTES);
            long t0 = System.nanoTime();
            LoadRun load = LoadRun.start(fabric, system, new LoadProfile.Poisson(ratePerSecond), p.seed(), Long.MAX_VALUE, duration);
            Thread.sleep(duration.toMillis() / 4);
            impair(fabric, t, p, s, true);
            load.completion().toCompletableFuture().get(duration.toMillis() + 60_000, TimeUnit.MILLISECONDS);
            long loadNanos = System.nanoTime() - t0;
            impair(fabric, t, p, s, false);
            LoadRun.awaitQuiet(fabric, system, Duration.ofSeconds(5)).toCompletableFuture().get(1, TimeUnit.MINUTES);
            FabricSnapshot last = fabric.shutdown().toCompletableFuture().get(2, TimeUnit.MINUTES);
            return StudyResult.of(p, t, s, ratePerSecond, loadNanos / 1e9, last, perOwner,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("study point " + p + " failed: " + e, e);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }

    /** Party 0 owns IOASID owner 0 and, in DEVICE mode, device 0: an impairment hits both of its roles. */
    private static void impair(FaultFabric fabric, Topology t, StudyPoint p, long s, boolean on) {
        List<Integer> roles = p.mode() == RoutingMode.DEVICE ? List.of(0, t.deviceOwnerOf(0)) : List.of(0);
        for (int owner : roles) {
            var ref = fabric.context().owner(owner);
            switch (p.impairment()) {
                case NONE -> { }
                case HANG -> ref.tell(new IoasidOwner.Hang(on));
                case CRASH -> { if (on) ref.tell(new IoasidOwner.Crash("routing study")); }
                case SLOW -> ref.tell(new IoasidOwner.SetPolicy(on ? new FaultPolicy(
                    owner == 0 ? ServiceTime.exponential((long) (s * IMPAIRED_FACTOR)) : ServiceTime.constant((long) (s * IMPAIRED_FACTOR)), 0, 0, 4096) : null));
            }
        }
    }

    static double micros(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile);
    }

    static long autoTotal(FabricSnapshot s) {
        return s.ledger().groupsAutoAnswered() - s.ledger().auto(AutoReason.SHUTDOWN);
    }
}
