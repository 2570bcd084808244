package io.faultfabric.streams;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.faultfabric.actors.FabricSettings;
import io.faultfabric.actors.IoasidOwner;
import io.faultfabric.actors.IommuUnit;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageAddress;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.Permissions;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.Flow;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** What the streams tests share: the test system's config, small topologies, requests, and blocking reads of the fabric. */
final class Fabrics {
    static final Duration WAIT = Duration.ofSeconds(20);

    private Fabrics() {}

    /** SLF4J logging into the CapturingAppender (printed only for a failing test); no dead-letter noise at shutdown. */
    static Config config() {
        return ConfigFactory.parseString(String.join("\n",
            "pekko.loglevel = DEBUG",
            "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
            "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
            "pekko.log-dead-letters-during-shutdown = off"))
            .withFallback(ConfigFactory.load());
    }

    /** The defaults of reference.conf with another response timeout. */
    static FabricSettings settings(ActorSystem<?> system, Duration responseTimeout) {
        return FabricSettings.fromConfig(system.settings().config()).withResponseTimeout(responseTimeout);
    }

    /** {@code iommus} units of {@code kind}, {@code devices} devices behind each, {@code pasids} PASIDs per device, one owner per PASID. */
    static Topology uniform(int iommus, IommuKind kind, int queueDepth, int devices, int pasidsPerDevice, int allocation, OwnerKind owners) {
        return new UniformTopology(iommus, kind, queueDepth, devices, 0, iommus * devices * pasidsPerDevice, allocation, 1,
            UniformTopology.Assignment.CONTIGUOUS, List.of(owners), 0, 512, RoutingMode.OWNER).build();
    }

    static FaultFabric start(ActorSystem<?> system, Topology topology, UnaryOperator<FaultFabric.Builder> options) {
        return join(options.apply(FaultFabric.builder(system, topology)).start());
    }

    /** A one-request group (L=1) of {@code rid}; the page is the PRGI's, so requests of distinct PRGIs differ. */
    static PageRequest single(int rid, int pasid, int prgi, long sequence) {
        return new PageRequest(rid, pasid, true, prgi, (0x1000L + prgi) * PageAddress.PAGE_SIZE, Permissions.READ, true,
            System.nanoTime(), sequence);
    }

    /** Request {@code i} of a group of {@code size} requests on PRGI {@code prgi}: only the last has L=1. */
    static PageRequest inGroup(int rid, int pasid, int prgi, int i, int size, long sequence) {
        return new PageRequest(rid, pasid, true, prgi, (0x100000L + prgi * 64L + i) * PageAddress.PAGE_SIZE,
            Permissions.READ | Permissions.WRITE, i == size - 1, System.nanoTime(), sequence);
    }

    /**
     * An identity stage whose input buffer is one element: placed right after a probe source, it makes the
     * stream's demand on the probe one element per element taken (Pekko's default would prefetch 16).
     */
    static <T> Flow<T, T, ?> oneAtATime() {
        return Flow.<T>create().map(x -> x).withAttributes(Attributes.inputBuffer(1, 1));
    }

    static FabricSnapshot snapshot(FaultFabric fabric) {
        return join(fabric.snapshot());
    }

    static IoasidOwner.Snapshot owner(FaultFabric fabric, ActorSystem<?> system, int owner) {
        return join(AskPattern.<IoasidOwner.Command, IoasidOwner.Snapshot>ask(fabric.context().owner(owner), IoasidOwner.GetSnapshot::new,
            WAIT, system.scheduler()));
    }

    static IommuUnit.Snapshot iommu(FaultFabric fabric, ActorSystem<?> system, int unit) {
        return join(AskPattern.<IommuUnit.Command, IommuUnit.Snapshot>ask(fabric.context().iommu(unit), IommuUnit.GetSnapshot::new,
            WAIT, system.scheduler()));
    }

    static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("the stage failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The failure a stage completed with (it must fail within the wait). */
    static Throwable failure(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the stage completed successfully; a failure was expected");
    }
}
