package io.faultfabric.actors;

import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageAddress;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.Permissions;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Measures what owners cost: run by hand, not by the test suite.
 * <pre>
 *   java -Xmx8g -XX:+UseParallelGC -cp ... io.faultfabric.actors.OwnerFootprint owners 1048576
 *   java -Xmx8g -XX:+UseParallelGC -cp ... io.faultfabric.actors.OwnerFootprint fabric 16384
 * </pre>
 * {@code owners N}: a guardian spawns only N supervised owners, in {@link OwnerGroup} blocks as the fabric does;
 * every owner then answers one
 * GetSnapshot (so each has started and built its Receive); heap after full GCs, minus the heap before, over N.
 * {@code fabric N}: the whole tree (4 IOMMUs x 64 devices, N PASIDs, one HOST_SVA owner each) started with
 * {@link Fabric}, every PASID faulted once, then shut down; times and heap of each phase.
 */
public final class OwnerFootprint {

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "owners";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1 << 20;
        System.out.printf("JVM %s, %d CPUs, max heap %d MB%n", System.getProperty("java.vm.version"),
            Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        if (mode.equals("owners")) owners(n); else fabric(n);
    }

    private static Topology topology(int pasids) {
        return new UniformTopology(4, IommuKind.VTD, 2048, 64, 0, pasids, 64, 1, UniformTopology.Assignment.CONTIGUOUS,
            List.of(OwnerKind.HOST_SVA), 0, 512, RoutingMode.OWNER).build();
    }

    private static FabricContext context(Topology t) {
        FabricSettings settings = FabricSettings.fromConfig(com.typesafe.config.ConfigFactory.load());
        return new FabricContext(t, settings.withResponseTimeout(Duration.ofSeconds(60)), 1L, o -> FaultPolicy.DEFAULT);
    }

    private static void owners(int n) throws Exception {
        FabricContext ctx = context(topology(n));
        int groups = (n + OwnerGroup.SIZE - 1) / OwnerGroup.SIZE;
        CountDownLatch spawned = new CountDownLatch(groups);
        // the guardian waits for the word, so that the heap is measured with the actor system already up
        Behavior<Integer> guardian = Behaviors.receive((context, count) -> {
            // as the fabric does: blocks of owners under OwnerGroup parents, spawned in parallel
            Props props = DispatcherSelector.fromConfig(ctx.settings().dispatcher());
            ActorRef<OwnerGroup.Spawned> report = context.getSystem().systemActorOf(Behaviors.receiveMessage(m -> {
                spawned.countDown();
                return Behaviors.same();
            }), "spawned", Props.empty());
            for (int g = 0; g < groups; g++) {
                int first = g * OwnerGroup.SIZE;
                context.spawn(OwnerGroup.create(g, first, Math.min(OwnerGroup.SIZE, count - first), ctx, report), "owners-" + g, props);
            }
            return Behaviors.same();
        });
        ActorSystem<Integer> system = ActorSystem.create(guardian, "footprint");
        long before = usedHeap();
        long t0 = System.nanoTime();
        system.tell(n);
        spawned.await();
        long spawnNanos = System.nanoTime() - t0;
        long spawnedHeap = usedHeap();
        long t1 = System.nanoTime();
        CountDownLatch answered = new CountDownLatch(n);
        ActorRef<IoasidOwner.Snapshot> counter = system.systemActorOf(Behaviors.receiveMessage(s -> {
            answered.countDown();
            return Behaviors.same();
        }), "counter", Props.empty());
        for (int o = 0; o < n; o++) ctx.owner(o).tell(new IoasidOwner.GetSnapshot(counter));
        answered.await(10, TimeUnit.MINUTES);
        long touchNanos = System.nanoTime() - t1;
        long touchedHeap = usedHeap();
        System.out.printf("owners %d: spawn %d ms (%.2f us each); heap +%d MB after spawn (%d B/owner), +%d MB once each has"
                + " handled a message (%d B/owner; first message to all took %d ms)%n",
            n, spawnNanos / 1_000_000, spawnNanos / 1000.0 / n, (spawnedHeap - before) >> 20, (spawnedHeap - before) / n,
            (touchedHeap - before) >> 20, (touchedHeap - before) / n, touchNanos / 1_000_000);
        if (Boolean.getBoolean("footprint.histogram")) histogram();
        long t2 = System.nanoTime();
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.MINUTES);
        System.out.printf("owners %d: terminate %d ms%n", n, (System.nanoTime() - t2) / 1_000_000);
    }

    private static void fabric(int n) throws Exception {
        Topology t = topology(n);
        FabricContext ctx = context(t);
        long before = usedHeap();
        long t0 = System.nanoTime();
        ActorSystem<Fabric.Command> system = ActorSystem.create(Fabric.create(ctx, d -> null, null), "footprint");
        Fabric.Started started = AskPattern.<Fabric.Command, Fabric.Started>ask(system, Fabric.GetStarted::new, Duration.ofMinutes(5),
            system.scheduler()).toCompletableFuture().get();
        long startNanos = System.nanoTime() - t0;
        long startedHeap = usedHeap();
        System.out.printf("fabric %d PASIDs: started in %d ms (spawn %d ms), heap +%d MB (topology and context excluded)%n",
            n, startNanos / 1_000_000, started.spawnTime().toMillis(), (startedHeap - before) >> 20);

        long t1 = System.nanoTime();
        CountDownLatch acked = new CountDownLatch(t.deviceCount());
        ActorRef<Device.Ack> acks = system.systemActorOf(Behaviors.receiveMessage(a -> {
            acked.countDown();
            return Behaviors.same();
        }), "acks", Props.empty());
        for (int d = 0; d < t.deviceCount(); d++) {
            List<PageRequest> every = new ArrayList<>(t.pasidsPerFunction(d));
            for (int i = 0; i < t.pasidsPerFunction(d); i++) {
                every.add(new PageRequest(t.devicePfRid(d), t.pasidOf(d, i), true, i & 511, (0x4000L + i) * PageAddress.PAGE_SIZE,
                    Permissions.READ, true, System.nanoTime(), i));
            }
            ctx.device(d).tell(new Device.Send(every, acks));
        }
        acked.await(10, TimeUnit.MINUTES);
        Fabric.Snapshot s;
        do {
            s = AskPattern.<Fabric.Command, Fabric.Snapshot>ask(system, Fabric.SnapshotAll::new, Duration.ofMinutes(5),
                system.scheduler()).toCompletableFuture().get();
        } while (s.deviceLedger().groupsCompleted() < n);
        long faultNanos = System.nanoTime() - t1;
        long faultedHeap = usedHeap();
        System.out.printf("fabric %d PASIDs: every PASID faulted once in %d ms (%.0f groups/s), %d completed, %d credits in use,"
                + " violations %d; heap +%d MB%n", n, faultNanos / 1_000_000, n * 1e9 / faultNanos, s.deviceLedger().groupsCompleted(),
            s.creditsInUse(), s.violations().total(), (faultedHeap - before) >> 20);

        long t2 = System.nanoTime();
        AskPattern.<Fabric.Command, Fabric.Snapshot>ask(system, Fabric.Shutdown::new, Duration.ofMinutes(5), system.scheduler())
            .toCompletableFuture().get();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.MINUTES);
        System.out.printf("fabric %d PASIDs: shutdown and termination %d ms%n", n, (System.nanoTime() - t2) / 1_000_000);
    }

    /** The live-object histogram of this JVM (jcmd), top classes: where an owner's bytes go. */
    private static void histogram() throws Exception {
        Process p = new ProcessBuilder("jcmd", Long.toString(ProcessHandle.current().pid()), "GC.class_histogram").redirectErrorStream(true).start();
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            r.lines().limit(45).forEach(System.out::println);
        }
        p.waitFor();
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100); // a measuring tool, not a test: let the collector settle between full GCs
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
