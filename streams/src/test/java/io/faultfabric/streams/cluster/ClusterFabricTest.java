package io.faultfabric.streams.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.faultfabric.actors.ClusterOwners;
import io.faultfabric.actors.OwnerGateway;
import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import io.faultfabric.engine.workload.LoadProfile;
import io.faultfabric.streams.FabricSnapshot;
import io.faultfabric.streams.FaultFabric;
import io.faultfabric.streams.LoadRun;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three ActorSystems in this JVM on 127.0.0.1 form a cluster: node 1 (role devices) runs the devices and IOMMU
 * units, nodes 2 and 3 (role owners) host the sharded owners. Every test ends with every issued group answered
 * exactly once (issued == completed, none outstanding, no invariant violated).
 */
@ExtendWith(LogCapturingExtension.class)
// a bound, not an expectation: each takes 20-50 s on a 2-core machine shared with other builds
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterFabricTest {
    private static final String SYSTEM = "faultfabric";
    private final List<ActorSystem<?>> systems = new ArrayList<>();

    @AfterEach
    void stopAll() {
        // one at a time, the seed last: nodes leaving all at once each wait out the exiting phase
        for (int i = systems.size() - 1; i >= 0; i--) {
            systems.get(i).terminate();
            systems.get(i).getWhenTerminated().toCompletableFuture().join();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Config base(boolean crashable) {
        return base(crashable, "3s");
    }

    private static Config base(boolean crashable, String responseTimeout) {
        return ConfigFactory.parseString(String.join("\n",
            "pekko.loglevel = INFO",
            "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
            "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
            "pekko.log-dead-letters = off",
            // the first group for a shard waits for its allocation across nodes: longer than the local default
            "faultfabric.response-timeout = " + responseTimeout,
            "pekko.log-dead-letters-during-shutdown = off",
            // a crash: terminating the system must not leave the cluster gracefully first
            "pekko.coordinated-shutdown.run-by-actor-system-terminate = " + (crashable ? "off" : "on")))
            .withFallback(ConfigFactory.load());
    }

    private ActorSystem<Void> node(int port, int seedPort, String role, boolean crashable) {
        return node(port, seedPort, role, base(crashable));
    }

    private ActorSystem<Void> node(int port, int seedPort, String role, Config base) {
        Config c = ClusterOwners.nodeConfig("127.0.0.1", port, List.of("127.0.0.1:" + seedPort), SYSTEM, List.of(role), base);
        ActorSystem<Void> s = ActorSystem.create(Behaviors.empty(), SYSTEM, c);
        systems.add(s);
        ClusterOwners.init(s);
        return s;
    }

    private static Topology topology() {
        // 2 devices on one VT-d unit, 512 PASIDs, each its own SVA owner: owners spread over every shard's node
        return new UniformTopology(1, IommuKind.VTD, 2048, 2, 0, 512, 32, 1,
            UniformTopology.Assignment.CONTIGUOUS, List.of(OwnerKind.HOST_SVA), 0, 512, RoutingMode.OWNER).build();
    }

    private static void awaitUp(ActorSystem<?> s, int members) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var ms = Cluster.get(s).state().getMembers();
            int up = 0;
            for (var m : ms) if (m.status() == MemberStatus.up()) up++;
            return up == members;
        });
    }

    private static String address(ActorSystem<?> s) {
        return Cluster.get(s).selfMember().address().toString();
    }

    private static void assertExactlyOnce(FabricSnapshot end, long issuedAtLeast) {
        assertThat(end.issuedGroups()).isGreaterThanOrEqualTo(issuedAtLeast);
        assertThat(end.completedGroups()).as("lost groups").isEqualTo(end.issuedGroups());
        assertThat(end.outstandingGroups()).isZero();
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    private static FabricSnapshot settle(FaultFabric fabric, ActorSystem<?> system) throws Exception {
        return LoadRun.awaitQuiet(fabric, system, Duration.ofSeconds(25)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void faultsFromDevicesOnNode1ReachOwnersOnNodes2And3AndComeBack() throws Exception {
        int p1 = freePort(), p2 = freePort(), p3 = freePort();
        // a cold cluster allocates each shard on its first group; on a busy 2-core machine that can take seconds,
        // so this test, which asserts every group answered by its owner, gives owners 10 s before a TIMEOUT
        Config slow = base(false, "10s");
        ActorSystem<Void> n1 = node(p1, p1, ClusterOwners.DEVICES_ROLE, slow);
        ActorSystem<Void> n2 = node(p2, p1, ClusterOwners.OWNERS_ROLE, slow);
        ActorSystem<Void> n3 = node(p3, p1, ClusterOwners.OWNERS_ROLE, slow);
        awaitUp(n1, 3);
        FaultFabric fabric = FaultFabric.builder(n1, topology()).seed(7).ownersOnCluster().start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LoadRun load = LoadRun.start(fabric, n1, new LoadProfile.Constant(4000), 7, 4000, Duration.ofSeconds(20));
        load.completion().toCompletableFuture().get(30, TimeUnit.SECONDS);
        FabricSnapshot end = settle(fabric, n1);
        assertExactlyOnce(end, 4000);
        // answered by their owners; on a starved machine a few of the first groups may wait out a cold shard allocation
        // (TIMEOUT, and the owner's late answer rejected), nothing else
        long success = end.ledger().answered(ResponseCode.SUCCESS);
        assertThat(success + end.ledger().auto(AutoReason.TIMEOUT)).isEqualTo(4000);
        assertThat(success).isGreaterThanOrEqualTo(3900);
        assertThat(end.rejectedResponses()).isLessThanOrEqualTo(end.ledger().auto(AutoReason.TIMEOUT));
        OwnerGateway.Counters c = fabric.clusterCounters();
        assertThat(c.answeredBy(address(n2))).as("answered on node 2").isPositive();
        assertThat(c.answeredBy(address(n3))).as("answered on node 3").isPositive();
        assertThat(c.answeredBy(address(n1))).as("no owner on the devices node").isZero();
        // groups went to the owners' nodes in batches (one message for several groups), not one message each
        assertThat(c.batchedGroups.sum()).as(c.toString()).isGreaterThan(c.batches.sum()).isGreaterThanOrEqualTo(3000);
        fabric.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void node3CrashesMidRunAndEveryGroupStillHasExactlyOneOutcome() throws Exception {
        int p1 = freePort(), p2 = freePort(), p3 = freePort();
        ActorSystem<Void> n1 = node(p1, p1, ClusterOwners.DEVICES_ROLE, false);
        ActorSystem<Void> n2 = node(p2, p1, ClusterOwners.OWNERS_ROLE, false);
        ActorSystem<Void> n3 = node(p3, p1, ClusterOwners.OWNERS_ROLE, true);
        awaitUp(n1, 3);
        FaultFabric fabric = FaultFabric.builder(n1, topology()).seed(11).ownersOnCluster().start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        OwnerGateway.Counters c = fabric.clusterCounters();
        String a2 = address(n2), a3 = address(n3);
        LoadRun load = LoadRun.start(fabric, n1, new LoadProfile.Constant(2000), 11, Long.MAX_VALUE, Duration.ofSeconds(40));
        await().atMost(Duration.ofSeconds(10)).until(() -> c.answeredBy(a3) > 500 && c.answeredBy(a2) > 500);

        n3.terminate(); // no Leave: its peers find it unreachable, and the split-brain resolver downs it
        await().atMost(Duration.ofSeconds(20)).until(() -> countMembers(n1) == 2);
        long node2Before = c.answeredBy(a2);
        // owners rebalanced to node 2: it answers the groups of every shard now
        await().atMost(Duration.ofSeconds(15)).until(() -> c.answeredBy(a2) > node2Before + 2000);
        load.stop();
        load.completion().toCompletableFuture().get(10, TimeUnit.SECONDS);

        FabricSnapshot end = settle(fabric, n1);
        assertExactlyOnce(end, 3000);
        long affected = end.ledger().auto(AutoReason.NODE_DOWN) + end.ledger().auto(AutoReason.TIMEOUT);
        assertThat(end.ledger().groupsAnsweredByHandler() + affected).isEqualTo(end.completedGroups());
        // the gateway answered NODE_DOWN for what it held for node 3; a group its IOMMU had already timed out rejects that answer
        assertThat(end.ledger().auto(AutoReason.NODE_DOWN)).as("groups answered NODE_DOWN").isPositive().isLessThanOrEqualTo(c.nodeDown.sum());
        // every second answer to a group was rejected by its IOMMU, never delivered
        assertThat(end.rejectedResponses()).isGreaterThanOrEqualTo(c.nodeDown.sum() - end.ledger().auto(AutoReason.NODE_DOWN) + c.lateAnswers.sum());
        fabric.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void rollingNode3LeavesAndRejoinsUnderLoadAndEveryGroupStillHasExactlyOneOutcome() throws Exception {
        int p1 = freePort(), p2 = freePort(), p3 = freePort();
        // a response timeout far above a handoff's length: a group dropped in a handoff and not sent again would be
        // answered TIMEOUT, which this test counts as a failure of the re-send
        Config c10 = base(false, "10s");
        ActorSystem<Void> n1 = node(p1, p1, ClusterOwners.DEVICES_ROLE, c10);
        ActorSystem<Void> n2 = node(p2, p1, ClusterOwners.OWNERS_ROLE, c10);
        ActorSystem<Void> n3 = node(p3, p1, ClusterOwners.OWNERS_ROLE, c10);
        awaitUp(n1, 3);
        // owners take 20 ms a group, so node 3 always has groups queued or in service when it hands its shards off:
        // the handoff stops its entities and drops those groups, which the gateway must send again to the new homes
        FaultFabric fabric = FaultFabric.builder(n1, topology()).seed(13)
            .policies(o -> FaultPolicy.DEFAULT.withServiceTime(ServiceTime.constant(Duration.ofMillis(20).toNanos())))
            .ownersOnCluster().start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        OwnerGateway.Counters c = fabric.clusterCounters();
        String a2 = address(n2), a3 = address(n3);
        LoadRun load = LoadRun.start(fabric, n1, new LoadProfile.Constant(2000), 13, Long.MAX_VALUE, Duration.ofSeconds(40));
        await().atMost(Duration.ofSeconds(10)).until(() -> c.answeredBy(a3) > 500);

        Cluster.get(n3).manager().tell(Leave.create(Cluster.get(n3).selfMember().address()));
        n3.getWhenTerminated().toCompletableFuture().get(40, TimeUnit.SECONDS); // its handoffs under load: seconds, more on a busy machine
        await().atMost(Duration.ofSeconds(15)).until(() -> countMembers(n1) == 2);
        long node2Before = c.answeredBy(a2);
        await().atMost(Duration.ofSeconds(15)).until(() -> c.answeredBy(a2) > node2Before + 1000);

        // the node comes back (a new incarnation on a new port) and takes shards again
        ActorSystem<Void> n3b = node(freePort(), p1, ClusterOwners.OWNERS_ROLE, c10);
        awaitUp(n1, 3);
        String a3b = address(n3b);
        await().atMost(Duration.ofSeconds(20)).until(() -> c.answeredBy(a3b) > 500);
        load.stop();
        load.completion().toCompletableFuture().get(10, TimeUnit.SECONDS);

        FabricSnapshot end = settle(fabric, n1);
        assertExactlyOnce(end, 3000);
        // the groups node 3 dropped in its handoffs were sent again and answered by their owners on their new homes
        assertThat(c.resent.sum() + c.resentOnMove.sum()).as("groups re-sent: " + c).isPositive();
        assertThat(c.answeredAfterResend.sum()).as("answered by their owner after a re-send: " + c).isPositive();
        // no crash here, so nothing NODE_DOWN; and nothing TIMEOUT: every group was answered by its owner
        assertThat(end.ledger().auto(AutoReason.NODE_DOWN)).isZero();
        assertThat(end.ledger().auto(AutoReason.TIMEOUT)).as("groups lost in a handoff and not sent again: " + c).isZero();
        assertThat(end.ledger().groupsAnsweredByHandler()).isEqualTo(end.completedGroups());
        // every answer that came after its group was answered (by the shard's other home, or after a TIMEOUT) was rejected
        assertThat(end.rejectedResponses()).isGreaterThanOrEqualTo(c.lateAnswers.sum());
        fabric.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static int countMembers(ActorSystem<?> s) {
        int n = 0;
        for (var m : Cluster.get(s).state().getMembers()) n++;
        return n;
    }
}
