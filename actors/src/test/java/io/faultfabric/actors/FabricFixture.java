package io.faultfabric.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageAddress;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.Permissions;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.topology.Topology;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** One fabric under test, driven without streams: requests go straight to devices, answers come back by subscription. */
final class FabricFixture {
    static final int PF = 0x100;
    static final Duration TIMEOUT = Duration.ofMillis(500);
    static final Duration TICK = Duration.ofMillis(50);

    /** The test systems' config: manual time, SLF4J logging (captured), no dead-letter noise at shutdown. */
    static Config config(boolean manualTime) {
        Config logging = ConfigFactory.parseString(String.join("\n",
            "pekko.loglevel = DEBUG",
            "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
            "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
            "pekko.log-dead-letters-during-shutdown = off"));
        Config base = logging.withFallback(ConfigFactory.load());
        return manualTime ? ManualTime.config().withFallback(base) : base;
    }

    static FabricSettings settings(FabricSettings.OwnerSupervision supervision) {
        return new FabricSettings(TIMEOUT, TICK, 256, supervision, 64, "faultfabric.data-plane-dispatcher",
            FabricSettings.ServiceClockKind.AUTO);
    }

    /**
     * One VT-d unit, one device (a PF, no VFs) with {@code allocation} credits and {@code pasids} PASIDs (1..pasids),
     * each PASID its own owner of {@code kind}; GUEST owners sit behind one vIOMMU of {@code viommuDepth} entries.
     * Owner indices: PASID p is owner p-1; the device owner (DEVICE mode) is {@code pasids}.
     */
    static Topology tiny(OwnerKind kind, RoutingMode mode, int pasids, int allocation, int viommuDepth) {
        Topology.Builder b = Topology.builder().mode(mode);
        b.iommu(IommuKind.VTD, 2048);
        if (kind == OwnerKind.GUEST) b.viommu(viommuDepth);
        b.device(0, PF, 0, allocation, 1, pasids);
        int[] owners = new int[pasids];
        for (int i = 0; i < pasids; i++) owners[i] = b.owner(kind, kind == OwnerKind.GUEST ? 0 : -1);
        b.ioasidOwners(owners);
        return b.build();
    }

    final ActorTestKit testKit;
    final FabricContext ctx;
    final Fabric.Started started;
    final ActorRef<Fabric.Command> fabric;
    private final TestProbe<Device.Ack> acks;
    private long sequence;

    FabricFixture(ActorTestKit testKit, Topology topology, FabricSettings settings, IntFunction<FaultPolicy> policies) {
        this(testKit, topology, settings, policies, FabricContext.Sabotage.NONE);
    }

    /** A fabric broken on purpose by {@code sabotage} (see {@link FabricContext.Sabotage}). */
    FabricFixture(ActorTestKit testKit, Topology topology, FabricSettings settings, IntFunction<FaultPolicy> policies,
                  FabricContext.Sabotage sabotage) {
        this.testKit = testKit;
        this.ctx = new FabricContext(topology, settings, 42L, policies);
        ctx.sabotage(sabotage);
        TestProbe<Fabric.Started> startedProbe = testKit.createTestProbe();
        testKit.spawn(Fabric.create(ctx, d -> null, startedProbe.ref()));
        this.started = startedProbe.expectMessageClass(Fabric.Started.class, Duration.ofSeconds(30));
        this.fabric = started.fabric();
        this.acks = testKit.createTestProbe();
    }

    ManualTime manualTime() {
        return ManualTime.get(testKit.system());
    }

    /** A page request of the device's PF; consecutive requests of one group get consecutive pages. */
    PageRequest request(int pasid, int prgi, int page, boolean last) {
        return new PageRequest(PF, pasid, true, prgi, (0x100000L + page) * PageAddress.PAGE_SIZE, Permissions.READ | Permissions.WRITE,
            last, System.nanoTime(), sequence);
    }

    /** The requests of one group: {@code size} requests, the last with L=1. */
    List<PageRequest> group(int pasid, int prgi, int size) {
        List<PageRequest> g = new ArrayList<>(size);
        for (int i = 0; i < size; i++) g.add(request(pasid, prgi, prgi * 1024 + i, i == size - 1));
        sequence++;
        return g;
    }

    /** Sends the requests from device {@code device} and waits until it has sent them all (its ack). */
    void send(int device, List<PageRequest> requests) {
        ctx.device(device).tell(new Device.Send(new ArrayList<>(requests), acks.ref()));
        acks.expectMessage(Duration.ofSeconds(10), Device.Ack.INSTANCE);
    }

    /** Answered groups of a device arrive at the returned probe (take them with {@link #answered}). */
    TestProbe<List<PageRequestGroup>> subscribe(int device) {
        TestProbe<List<PageRequestGroup>> p = testKit.createTestProbe();
        ctx.device(device).tell(new Device.Subscribe(p.ref()));
        return p;
    }

    /** The next {@code n} answered groups the device publishes, each batch acknowledged. */
    List<PageRequestGroup> answered(TestProbe<List<PageRequestGroup>> probe, int device, int n) {
        List<PageRequestGroup> out = new ArrayList<>();
        while (out.size() < n) {
            out.addAll(probe.receiveMessage(Duration.ofSeconds(10)));
            ctx.device(device).tell(Device.Published.INSTANCE);
        }
        assertThat(out).hasSize(n);
        return out;
    }

    Device.Snapshot device(int d) {
        TestProbe<Device.Snapshot> p = testKit.createTestProbe();
        ctx.device(d).tell(new Device.GetSnapshot(p.ref()));
        return p.receiveMessage(Duration.ofSeconds(10));
    }

    IommuUnit.Snapshot iommu(int i) {
        TestProbe<IommuUnit.Snapshot> p = testKit.createTestProbe();
        ctx.iommu(i).tell(new IommuUnit.GetSnapshot(p.ref()));
        return p.receiveMessage(Duration.ofSeconds(10));
    }

    IoasidOwner.Snapshot owner(int o) {
        TestProbe<IoasidOwner.Snapshot> p = testKit.createTestProbe();
        ctx.owner(o).tell(new IoasidOwner.GetSnapshot(p.ref()));
        return p.receiveMessage(Duration.ofSeconds(10));
    }

    VIommu.Snapshot viommu(int v) {
        TestProbe<VIommu.Snapshot> p = testKit.createTestProbe();
        ctx.viommu(v).tell(new VIommu.GetSnapshot(p.ref()));
        return p.receiveMessage(Duration.ofSeconds(10));
    }

    /** Polls the owner's snapshot until it satisfies {@code condition}: the owner works asynchronously. */
    IoasidOwner.Snapshot awaitOwner(int o, Predicate<IoasidOwner.Snapshot> condition) {
        TestProbe<Object> poll = testKit.createTestProbe();
        return poll.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(5), () -> {
            IoasidOwner.Snapshot s = owner(o);
            assertThat(condition.test(s)).as("owner %d: %s", o, s).isTrue();
            return s;
        });
    }

    Fabric.Snapshot snapshotAll() {
        TestProbe<Fabric.Snapshot> p = testKit.createTestProbe();
        fabric.tell(new Fabric.SnapshotAll(p.ref()));
        return p.receiveMessage(Duration.ofSeconds(30));
    }

    StatusReply<Done> reset(int device) {
        TestProbe<StatusReply<Done>> p = testKit.createTestProbe();
        ctx.device(device).tell(new Device.Reset(p.ref()));
        return p.receiveMessage(Duration.ofSeconds(10));
    }

    /** Shuts the fabric down through its protocol and checks that it stopped. */
    Fabric.Snapshot shutdown() {
        TestProbe<Fabric.Snapshot> p = testKit.createTestProbe();
        fabric.tell(new Fabric.Shutdown(p.ref()));
        Fabric.Snapshot s = p.receiveMessage(Duration.ofSeconds(30));
        p.expectTerminated(fabric, Duration.ofSeconds(30));
        return s;
    }
}
