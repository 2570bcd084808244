package io.faultfabric.loadgen.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.faultfabric.actors.ClusterOwners;
import io.faultfabric.loadgen.run.LocalCluster;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.faultfabric.loadgen.cli.MainTest.faultfabric;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run --join}: the run's process is the devices node of a cluster whose owners node was started on its own (here
 * an ActorSystem made as {@code faultfabric node} makes it), and two runs in a row are served by that same node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class JoinRunTest {
    private ActorSystem<Void> ownersNode;
    private String seed;

    @BeforeAll
    void startOwnersNode() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        seed = "127.0.0.1:" + port;
        ownersNode = ActorSystem.create(Behaviors.empty(), LocalCluster.SYSTEM_NAME, ClusterOwners.nodeConfig("127.0.0.1", port,
            List.of(seed), LocalCluster.SYSTEM_NAME, List.of(ClusterOwners.OWNERS_ROLE), ConfigFactory.load()));
        ClusterOwners.init(ownersNode);
    }

    @AfterAll
    void stopOwnersNode() {
        ownersNode.terminate();
        ownersNode.getWhenTerminated().toCompletableFuture().join();
    }

    @Test
    void aRunJoinsAnOwnersNodeOfAnotherProcessAndEveryGroupIsAnsweredThereTwiceInARow(@TempDir Path dir) throws Exception {
        for (String run : List.of("first", "second")) {
            Path reports = dir.resolve(run);
            MainTest.Result r = faultfabric("run", "default", "--join", seed, "--groups", "2000", "--set", "scenario.load.rate=2000",
                "--quiet", "--report-dir", reports.toString());

            assertThat(r.exitCode()).as(run + ": " + r.err()).isZero();
            JsonNode report = new ObjectMapper().readTree(reports.resolve("report.json").toFile());
            assertThat(report.get("issuedGroups").asLong()).as(run).isEqualTo(2000);
            assertThat(report.get("lostGroups").asLong()).as(run).isZero();
            // answered by their owners (on the owners node: this run's node hosts none), none by a timeout
            assertThat(report.get("outcomes").get("answered.SUCCESS").asLong()).as(run).isEqualTo(2000);
            assertThat(report.get("outcomes").has("auto.TIMEOUT")).as(run).isFalse();
        }
    }

    @Test
    void joinIsBadInputWithClusterNodesOfItsOwnWithTheDirectEngineOrWithAMalformedSeed() {
        MainTest.Result both = faultfabric("run", "default", "--join", "127.0.0.1:2551", "--nodes", "3", "--quiet");
        assertThat(both.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(both.err()).contains("Invalid value for option '--join': a run joins an existing cluster or starts --nodes of its own, not both");

        MainTest.Result direct = faultfabric("run", "default", "--join", "127.0.0.1:2551", "--engine", "direct", "--quiet");
        assertThat(direct.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(direct.err()).contains("Invalid value for option '--join': a cluster run needs the fabric engine, not direct");

        MainTest.Result malformed = faultfabric("run", "default", "--join", "127.0.0.1:99999", "--quiet");
        assertThat(malformed.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(malformed.err()).contains("Invalid value for option '--join': expected host:port with a port 1..65535, was 127.0.0.1:99999");

        MainTest.Result host = faultfabric("run", "default", "--host", "10.0.0.1", "--quiet");
        assertThat(host.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(host.err()).contains("Invalid value for option '--host': it is for --join only");
    }
}
