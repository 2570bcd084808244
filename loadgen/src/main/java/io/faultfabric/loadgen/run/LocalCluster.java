package io.faultfabric.loadgen.run;

import com.typesafe.config.Config;
import io.faultfabric.actors.ClusterOwners;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A cluster of {@code n} ActorSystems in this JVM on 127.0.0.1, each on its own free port: node 1 (the seed) has role
 * devices and runs the devices and IOMMU units; nodes 2..n have role owners and host the sharded owners. With n = 1
 * nothing would host owners, so it needs n >= 2. Or, with {@link #join}, this process as the devices node of a cluster
 * whose owners nodes run elsewhere.
 */
public final class LocalCluster implements AutoCloseable {
    public static final String SYSTEM_NAME = "faultfabric";
    private final List<ActorSystem<Void>> nodes;

    private LocalCluster(List<ActorSystem<Void>> nodes) {
        this.nodes = nodes;
    }

    public static LocalCluster start(int n, Config base, Duration upWithin) {
        if (n < 2) throw new IllegalArgumentException("a cluster run needs 2 or more nodes (one for devices, the rest for owners), was " + n);
        List<ActorSystem<Void>> nodes = new ArrayList<>();
        LocalCluster cluster = new LocalCluster(nodes);
        try {
            int seed = freePort();
            for (int i = 0; i < n; i++) {
                int port = i == 0 ? seed : freePort();
                String role = i == 0 ? ClusterOwners.DEVICES_ROLE : ClusterOwners.OWNERS_ROLE;
                Config c = ClusterOwners.nodeConfig("127.0.0.1", port, List.of("127.0.0.1:" + seed), SYSTEM_NAME, List.of(role), base);
                ActorSystem<Void> s = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, c);
                nodes.add(s);
                ClusterOwners.init(s);
            }
            awaitUp(nodes.get(0), n, upWithin);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * This process as the devices node of an existing cluster: one ActorSystem of role devices on {@code host} (a free
     * port) joining {@code seedNodes}, returned once it is up beside at least one owners node ({@code faultfabric node}).
     */
    public static LocalCluster join(String host, List<String> seedNodes, Config base, Duration upWithin) {
        Config c = ClusterOwners.nodeConfig(host, freePort(), seedNodes, SYSTEM_NAME, List.of(ClusterOwners.DEVICES_ROLE), base);
        ActorSystem<Void> s = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, c);
        LocalCluster cluster = new LocalCluster(new ArrayList<>(List.of(s)));
        try {
            ClusterOwners.init(s);
            awaitUntil(s, upWithin, () -> {
                boolean selfUp = Cluster.get(s).selfMember().status() == MemberStatus.up();
                boolean owners = false;
                for (var m : Cluster.get(s).state().getMembers()) {
                    if (m.status() == MemberStatus.up() && m.hasRole(ClusterOwners.OWNERS_ROLE)) owners = true;
                }
                return selfUp && owners;
            }, () -> "joining " + seedNodes + ": no owners node was up beside this devices node after " + upWithin
                + " (start one with: faultfabric node --port PORT --seed-nodes " + String.join(",", seedNodes) + ")");
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public ActorSystem<Void> devicesNode() { return nodes.get(0); }

    public List<ActorSystem<Void>> nodes() { return List.copyOf(nodes); }

    private static void awaitUp(ActorSystem<?> s, int n, Duration within) {
        awaitUntil(s, within, () -> up(s) == n, () -> up(s) + " of " + n + " cluster nodes up after " + within);
    }

    private static int up(ActorSystem<?> s) {
        int up = 0;
        for (var m : Cluster.get(s).state().getMembers()) if (m.status() == MemberStatus.up()) up++;
        return up;
    }

    private static void awaitUntil(ActorSystem<?> s, Duration within, BooleanSupplier done, Supplier<String> failure) {
        long until = System.nanoTime() + within.toNanos();
        while (true) {
            if (done.getAsBoolean()) return;
            if (System.nanoTime() > until) throw new IllegalStateException(failure.get());
            try {
                Thread.sleep(50); // polling the membership at the edge, before any load
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the cluster formed", e);
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        // one at a time, the seed last: a node leaving while all its peers leave too waits out the exiting phase (10 s)
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).terminate();
            nodes.get(i).getWhenTerminated().toCompletableFuture().join();
        }
    }
}
