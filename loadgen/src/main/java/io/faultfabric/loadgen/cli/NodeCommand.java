package io.faultfabric.loadgen.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.faultfabric.actors.ClusterOwners;
import io.faultfabric.loadgen.run.LocalCluster;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Starts one cluster node in this process and keeps it up until it leaves the cluster or the process is stopped
 * (Ctrl-C runs a graceful leave). An owners node hosts a share of the sharded IOASID owners.
 */
@Command(name = "node", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Start one FaultFabric cluster node and keep it up (docs/cluster.md).",
                "An owners node hosts sharded IOASID owners for the devices nodes of the cluster."})
public final class NodeCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "This node's port on --host.")
    private int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST", description = "This node's address. Default: ${DEFAULT-VALUE}.")
    private String host;

    @Option(names = "--seed-nodes", required = true, paramLabel = "HOST:PORT,...", split = ",",
            description = "Seed nodes to join, e.g. 127.0.0.1:2551,127.0.0.1:2552 (this node's own address to start a new cluster).")
    private List<String> seedNodes;

    @Option(names = "--role", defaultValue = ClusterOwners.OWNERS_ROLE, paramLabel = "ROLE",
            description = "owners (hosts sharded owners) or devices (a devices node that joins and reaches owners through sharding; "
                    + "the devices and their load come from 'run' or an embedding application). Default: ${DEFAULT-VALUE}.")
    private String role;

    /** Each seed node must be host:port with a port 1..65535. */
    static void checkSeedNodes(CommandSpec spec, String option, List<String> seeds) {
        for (String s : seeds) {
            int colon = s.lastIndexOf(':');
            String port = colon < 0 ? "" : s.substring(colon + 1);
            if (colon < 1 || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': expected host:port with a port 1..65535, was " + s);
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!Arrays.asList(ClusterOwners.OWNERS_ROLE, ClusterOwners.DEVICES_ROLE).contains(role)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--role': expected owners or devices, was " + role);
        }
        if (port < 1 || port > 65535) throw new ParameterException(spec.commandLine(), "Invalid value for option '--port': 1..65535, was " + port);
        checkSeedNodes(spec, "--seed-nodes", seedNodes);
        Config c = ClusterOwners.nodeConfig(host, port, seedNodes, LocalCluster.SYSTEM_NAME, List.of(role), ConfigFactory.load());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), LocalCluster.SYSTEM_NAME, c);
        ClusterOwners.init(system);
        PrintWriter out = spec.commandLine().getOut();
        out.println("node " + Cluster.get(system).selfMember().address() + " (role " + role + ") joining " + seedNodes + "; Ctrl-C leaves");
        out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            system.terminate(); // coordinated shutdown: leave the cluster, hand shards off
            system.getWhenTerminated().toCompletableFuture().join();
        }, "faultfabric-node-leave"));
        system.getWhenTerminated().toCompletableFuture().join();
        return ExitCodes.OK;
    }
}
