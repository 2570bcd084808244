package io.faultfabric.actors;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.faultfabric.actors.FabricSettings.OwnerSupervision.RESTART;
import static org.assertj.core.api.Assertions.assertThat;

/** What the fabric answers when an owner's side cannot: full queues, refused Failure writes, a full guest queue. */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnerOverloadTest {
    private static final Duration SERVICE = Duration.ofMillis(100); // three in a row stay within the 500 ms response timeout

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("overload").withCustomConfig(FabricFixture.config(true)).build();

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = OwnerKind.class, names = {"HOST_SVA", "USER_DRIVER", "VDPA"})
    void aGroupThatFindsTheOwnersQueueFullIsAnsweredOwnerQueueFull(OwnerKind kind) {
        FaultPolicy slow = new FaultPolicy(ServiceTime.constant(SERVICE.toNanos()), 0, 0, 2);
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(kind, RoutingMode.OWNER, 2, 32, 128),
            FabricFixture.settings(RESTART), o -> slow);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);
        List<PageRequest> four = new ArrayList<>();
        for (int prgi = 0; prgi < 4; prgi++) four.addAll(f.group(1, prgi, 1));

        f.send(0, four);

        PageRequestGroup full = f.answered(answers, 0, 1).get(0);
        assertThat(full.prgi()).isEqualTo(3);
        assertThat(full.autoReason()).isEqualTo(AutoReason.OWNER_QUEUE_FULL);
        assertThat(full.code()).isEqualTo(ResponseCode.RESPONSE_FAILURE);
        f.awaitOwner(0, s -> s.serving() && s.waiting() == 2 && s.ownerQueueFull() == 1);
        for (int prgi = 0; prgi < 3; prgi++) {
            f.manualTime().timePasses(SERVICE);
            PageRequestGroup served = f.answered(answers, 0, 1).get(0);
            assertThat(served.prgi()).isEqualTo(prgi);
            assertThat(served.code()).isEqualTo(ResponseCode.SUCCESS);
        }
        assertThat(f.device(0).creditsInUse()).isZero();
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.owners().ownerQueueFull()).isEqualTo(1);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = OwnerKind.class, names = {"USER_DRIVER", "VDPA", "GUEST"})
    void aFailureWriteIsRefusedWithEinvalAndTheGroupTimesOut(OwnerKind kind) {
        FaultPolicy failing = new FaultPolicy(ServiceTime.ZERO, 0, 1.0, 16);
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(kind, RoutingMode.OWNER, 2, 32, 128),
            FabricFixture.settings(RESTART), o -> failing);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);

        f.send(0, f.group(1, 4, 2));

        IoasidOwner.Snapshot owner = f.awaitOwner(0, s -> s.failureWritesRefused() == 1);
        assertThat(owner.fdAwaiting()).as("the group stays pending in the fault fd").isEqualTo(1);
        answers.expectNoMessage(Duration.ofMillis(50));
        f.manualTime().timePasses(FabricFixture.TIMEOUT.plus(FabricFixture.TICK));
        PageRequestGroup g = f.answered(answers, 0, 1).get(0);
        assertThat(g.autoReason()).isEqualTo(AutoReason.TIMEOUT);
        assertThat(g.code()).isEqualTo(ResponseCode.INVALID);
        assertThat(f.device(0).priEnabled()).as("Failure never reached the device").isTrue();
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.owners().failureWritesRefused()).isEqualTo(1);
        assertThat(end.iommuLedger().autoSent[AutoReason.TIMEOUT.ordinal()]).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} mode")
    @EnumSource(RoutingMode.class)
    void aHostSvaHandlerFailureIsAnsweredResponseFailure(RoutingMode mode) {
        FaultPolicy failing = new FaultPolicy(ServiceTime.ZERO, 0, 1.0, 16);
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(OwnerKind.HOST_SVA, mode, 2, 32, 128),
            FabricFixture.settings(RESTART), o -> failing);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);

        f.send(0, f.group(2, 1, 1));

        PageRequestGroup g = f.answered(answers, 0, 1).get(0);
        assertThat(g.autoReason()).isEqualTo(AutoReason.HANDLER_FAILED);
        assertThat(g.code()).isEqualTo(ResponseCode.RESPONSE_FAILURE);
        assertThat(f.device(0).priEnabled()).isFalse();
        assertThat(f.shutdown().owners().handlerFailed()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} mode")
    @EnumSource(RoutingMode.class)
    void aFullGuestQueueSetsProAndTheVmmRefusesUntilTheGuestEmptiesIt(RoutingMode mode) {
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(OwnerKind.GUEST, mode, 2, 256, 128),
            FabricFixture.settings(RESTART), o -> FaultPolicy.DEFAULT);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);
        f.ctx.viommu(0).tell(new VIommu.Hang(true));
        List<PageRequest> requests = new ArrayList<>(f.group(1, 0, 100)); // fits: 100 of 128 descriptors
        requests.addAll(f.group(1, 1, 100)); // does not fit: PRO
        requests.addAll(f.group(1, 2, 1)); // fits, but PRO is set

        f.send(0, requests);

        List<PageRequestGroup> refused = f.answered(answers, 0, 2);
        assertThat(refused).extracting(PageRequestGroup::prgi).containsExactlyInAnyOrder(1, 2);
        assertThat(refused).extracting(PageRequestGroup::autoReason).containsOnly(AutoReason.VIRTUAL_QUEUE_FULL);
        assertThat(refused).extracting(PageRequestGroup::code).containsOnly(ResponseCode.SUCCESS);
        VIommu.Snapshot full = f.viommu(0);
        assertThat(full.pro()).isTrue();
        assertThat(full.used()).isEqualTo(100);
        assertThat(full.refused()).isEqualTo(2);
        assertThat(full.proEvents()).isEqualTo(1);

        f.ctx.viommu(0).tell(new VIommu.Hang(false));

        PageRequestGroup served = f.answered(answers, 0, 1).get(0);
        assertThat(served.prgi()).isZero();
        assertThat(served.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(served.autoReason()).isNull();
        VIommu.Snapshot emptied = f.viommu(0);
        assertThat(emptied.pro()).isFalse();
        assertThat(emptied.used()).isZero();
        assertThat(f.device(0).creditsInUse()).isZero();
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.owners().virtualQueueFull()).isEqualTo(2);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = OwnerKind.class, names = {"HOST_SVA", "GUEST"})
    void aDeviceOwnersFullRingAnswersOwnerQueueFullForEveryPasidOfTheDevice(OwnerKind kind) {
        int deviceOwner = 2;
        FaultPolicy ring = new FaultPolicy(ServiceTime.ZERO, 0, 0, 1);
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(kind, RoutingMode.DEVICE, 2, 32, 128),
            FabricFixture.settings(RESTART), o -> o == deviceOwner ? ring : FaultPolicy.DEFAULT);
        assertThat(f.ctx.topology().deviceOwnerOf(0)).isEqualTo(deviceOwner);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);
        f.ctx.owner(deviceOwner).tell(new IoasidOwner.Hang(true));
        List<PageRequest> two = new ArrayList<>(f.group(1, 0, 1));
        two.addAll(f.group(2, 1, 1)); // another PASID, another owner: the same ring

        f.send(0, two);

        PageRequestGroup full = f.answered(answers, 0, 1).get(0);
        assertThat(full.pasid()).isEqualTo(2);
        assertThat(full.autoReason()).isEqualTo(AutoReason.OWNER_QUEUE_FULL);
        f.ctx.owner(deviceOwner).tell(new IoasidOwner.Hang(false));
        PageRequestGroup served = f.answered(answers, 0, 1).get(0);
        assertThat(served.pasid()).isEqualTo(1);
        assertThat(served.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(served.handler()).isEqualTo(deviceOwner);
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.owners().ownerQueueFull()).isEqualTo(1);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }
}
