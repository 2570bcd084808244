package io.faultfabric.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Cluster mode: IOASID owners are Cluster Sharding entities ({@link ShardedOwner}) on nodes of role
 * {@value #OWNERS_ROLE}; devices and IOMMU units stay on their host's node and reach owners through an
 * {@link OwnerGateway}. {@link #init} on every node: a node with the role hosts shards, any other node gets a
 * proxy. Shard of owner o = o mod {@code pekko.cluster.sharding.number-of-shards} (see docs/cluster.md for the
 * count), so the gateway knows each group's shard without asking.
 */
public final class ClusterOwners {
    public static final String OWNERS_ROLE = "owners";
    public static final String DEVICES_ROLE = "devices";
    public static final EntityTypeKey<ShardedOwner.Command> TYPE_KEY = EntityTypeKey.create(ShardedOwner.Command.class, "ioasid-owner");

    private ClusterOwners() {}

    /** The sharding region (or proxy) of owners on this system; idempotent per system. */
    public static ActorRef<ShardingEnvelope<ShardedOwner.Command>> init(ActorSystem<?> system) {
        int shards = shardCount(system.settings().config());
        ActorRef<ShardingEnvelope<ShardedOwner.Command>> region = ClusterSharding.get(system).init(
            Entity.of(TYPE_KEY, ec -> ShardedOwner.create(Integer.parseInt(ec.getEntityId())))
                .withRole(OWNERS_ROLE)
                .withMessageExtractor(new OwnerShards(shards)));
        // an owners node takes batches of groups from gateways (OwnerInbox); one inbox per system
        if (Cluster.get(system).selfMember().hasRole(OWNERS_ROLE)) system.registerExtension(InboxHolder.ID).start(region);
        return region;
    }

    /** Per actor system (an extension, as systems of one name in one JVM are distinct): its owner inbox, once. */
    static final class InboxHolder implements org.apache.pekko.actor.typed.Extension {
        static final org.apache.pekko.actor.typed.ExtensionId<InboxHolder> ID = new org.apache.pekko.actor.typed.ExtensionId<>() {
            @Override
            public InboxHolder createExtension(ActorSystem<?> system) { return new InboxHolder(system); }
        };

        private final ActorSystem<?> system;
        private ActorRef<OwnerInbox.Batch> inbox;

        private InboxHolder(ActorSystem<?> system) { this.system = system; }

        synchronized void start(ActorRef<ShardingEnvelope<ShardedOwner.Command>> region) {
            if (inbox == null) inbox = system.systemActorOf(OwnerInbox.create(region), OwnerInbox.NAME, org.apache.pekko.actor.typed.Props.empty());
        }
    }

    /**
     * Allocates every shard that holds one of {@code owners} owners before traffic starts, by starting one owner of each
     * shard: a cold shard's first group would otherwise wait for its allocation (seconds on a busy machine) and time out.
     * Completes with each started owner's reply, which names its shard's home node.
     */
    public static CompletionStage<List<ShardedOwner.Warmed>> warmShards(ActorSystem<?> system,
            ActorRef<ShardingEnvelope<ShardedOwner.Command>> region, int owners, Duration timeout) {
        int n = Math.min(owners, shardCount(system.settings().config()));
        List<CompletableFuture<ShardedOwner.Warmed>> all = new ArrayList<>(n);
        for (int o = 0; o < n; o++) {
            String id = Integer.toString(o);
            all.add(AskPattern.<ShardingEnvelope<ShardedOwner.Command>, ShardedOwner.Warmed>ask(region,
                r -> new ShardingEnvelope<>(id, new ShardedOwner.Warm(r)), timeout, system.scheduler()).toCompletableFuture());
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).thenApply(x -> {
            List<ShardedOwner.Warmed> homes = new ArrayList<>(n);
            for (CompletableFuture<ShardedOwner.Warmed> f : all) homes.add(f.join());
            return homes;
        });
    }

    public static int shardCount(Config config) {
        return config.getInt("pekko.cluster.sharding.number-of-shards");
    }

    /** The shard of an owner: its index modulo the shard count. */
    public static int shardOf(int owner, int shards) {
        return owner % shards;
    }

    /**
     * The config of one cluster node on 127.0.0.1: {@code faultfabric-cluster.conf} (cluster provider, jackson-cbor for
     * {@link CrossNode}, no Java serialization, split-brain resolver) with this node's port, seeds and roles, over
     * {@code base}.
     */
    public static Config nodeConfig(String host, int port, List<String> seedNodes, String systemName, List<String> roles, Config base) {
        StringBuilder seeds = new StringBuilder();
        for (String s : seedNodes) {
            if (seeds.length() > 0) seeds.append(',');
            seeds.append('"').append("pekko://").append(systemName).append('@').append(s).append('"');
        }
        StringBuilder rs = new StringBuilder();
        for (String r : roles) {
            if (rs.length() > 0) rs.append(',');
            rs.append('"').append(r).append('"');
        }
        Config node = ConfigFactory.parseString(String.join("\n",
            "pekko.remote.artery.canonical.hostname = \"" + host + "\"",
            "pekko.remote.artery.canonical.port = " + port,
            "pekko.cluster.seed-nodes = [" + seeds + "]",
            "pekko.cluster.roles = [" + rs + "]"));
        return node.withFallback(ConfigFactory.parseResources("faultfabric-cluster.conf")).withFallback(base).resolve();
    }

    /** Entity id = owner index; shard = index mod shard count. */
    static final class OwnerShards extends ShardingMessageExtractor<ShardingEnvelope<ShardedOwner.Command>, ShardedOwner.Command> {
        private final int shards;

        OwnerShards(int shards) { this.shards = shards; }

        @Override
        public String entityId(ShardingEnvelope<ShardedOwner.Command> envelope) { return envelope.entityId(); }

        @Override
        public String shardId(String entityId) { return Integer.toString(shardOf(Integer.parseInt(entityId), shards)); }

        @Override
        public ShardedOwner.Command unwrapMessage(ShardingEnvelope<ShardedOwner.Command> envelope) { return envelope.message(); }
    }
}
