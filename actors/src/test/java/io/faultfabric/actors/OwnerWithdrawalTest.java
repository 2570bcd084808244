package io.faultfabric.actors;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.FaultPolicy;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.faultfabric.actors.FabricSettings.OwnerSupervision.RESTART;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A group the IOMMU answers over its handler's head (the response timeout, a device reset) leaves the owner that holds
 * it: it takes no room in the owner's bounded queue, and the owner, once it resumes, does not answer it a second time.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnerWithdrawalTest {

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("withdrawal").withCustomConfig(FabricFixture.config(true)).build();

    static Stream<Arguments> cases() {
        return Stream.of(OwnerKind.values()).flatMap(kind -> Stream.of(RoutingMode.values()).map(mode -> Arguments.of(kind, mode)));
    }

    @ParameterizedTest(name = "{0} in {1} mode")
    @MethodSource("cases")
    void aTimedOutGroupLeavesItsHungOwner(OwnerKind kind, RoutingMode mode) {
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(kind, mode, 2, 32, 128), FabricFixture.settings(RESTART),
            o -> FaultPolicy.DEFAULT);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);
        f.ctx.owner(0).tell(new IoasidOwner.Hang(true));
        f.send(0, f.group(1, 5, 2));
        f.awaitOwner(0, s -> s.waiting() == 1);

        f.manualTime().timePasses(FabricFixture.TIMEOUT.plus(FabricFixture.TICK));

        assertThat(f.answered(answers, 0, 1).get(0).autoReason()).isEqualTo(AutoReason.TIMEOUT);
        f.awaitOwner(0, s -> s.waiting() == 0 && s.withdrawnDropped() == 1);
        f.ctx.owner(0).tell(new IoasidOwner.Hang(false));
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.rejected()).as("the owner answered nothing late").isZero();
        assertThat(end.owners().withdrawnDropped()).isEqualTo(1);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    @ParameterizedTest(name = "{0} in {1} mode")
    @MethodSource("cases")
    void aGroupAnsweredByADeviceResetLeavesItsHungOwner(OwnerKind kind, RoutingMode mode) {
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(kind, mode, 2, 32, 128), FabricFixture.settings(RESTART),
            o -> FaultPolicy.DEFAULT);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);
        f.ctx.owner(1).tell(new IoasidOwner.Hang(true));
        f.send(0, f.group(2, 9, 1));
        f.awaitOwner(1, s -> s.waiting() == 1);

        assertThat(f.reset(0).isSuccess()).isTrue();

        assertThat(f.answered(answers, 0, 1).get(0).autoReason()).isEqualTo(AutoReason.DEVICE_RESET);
        f.awaitOwner(1, s -> s.waiting() == 0 && s.withdrawnDropped() == 1);
        f.ctx.owner(1).tell(new IoasidOwner.Hang(false));
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.rejected()).isZero();
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = OwnerKind.class, names = {"HOST_SVA", "USER_DRIVER"})
    void inDeviceModeADetachReachesTheOwnerTheDeviceOwnerRelayedTheGroupTo(OwnerKind kind) {
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(kind, RoutingMode.DEVICE, 2, 32, 128), FabricFixture.settings(RESTART),
            o -> FaultPolicy.DEFAULT);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);
        f.ctx.owner(0).tell(new IoasidOwner.Hang(true));
        f.send(0, f.group(1, 3, 1));
        f.awaitOwner(0, s -> s.waiting() == 1); // relayed by the device owner, the handler
        TestProbe<org.apache.pekko.pattern.StatusReply<org.apache.pekko.Done>> detach = testKit.createTestProbe();

        f.ctx.iommu(0).tell(new IommuUnit.Detach(FabricFixture.PF, 1, detach.ref()));

        assertThat(detach.receiveMessage().isSuccess()).isTrue();
        assertThat(f.answered(answers, 0, 1).get(0).autoReason()).isEqualTo(AutoReason.DETACHED);
        f.awaitOwner(0, s -> s.waiting() == 0 && s.detachedDropped() == 1);
        f.ctx.owner(0).tell(new IoasidOwner.Hang(false));
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.rejected()).isZero();
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = AutoReason.class, names = {"IOMMU_RESTART", "HANDLER_FAILED"})
    void aGroupAnsweredByARestartOfTheUnitOrAnInjectedHandlerFailureLeavesItsHungOwner(AutoReason reason) {
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(OwnerKind.USER_DRIVER, RoutingMode.OWNER, 2, 32, 128),
            FabricFixture.settings(RESTART), o -> FaultPolicy.DEFAULT);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);
        f.ctx.owner(0).tell(new IoasidOwner.Hang(true));
        f.send(0, f.group(1, 4, 1));
        f.awaitOwner(0, s -> s.waiting() == 1);
        TestProbe<org.apache.pekko.pattern.StatusReply<org.apache.pekko.Done>> done = testKit.createTestProbe();

        f.ctx.iommu(0).tell(reason == AutoReason.IOMMU_RESTART ? new IommuUnit.Restart(done.ref())
            : new IommuUnit.FailGroups(FabricFixture.PF, done.ref()));

        assertThat(done.receiveMessage().isSuccess()).isTrue();
        assertThat(f.answered(answers, 0, 1).get(0).autoReason()).isEqualTo(reason);
        f.awaitOwner(0, s -> s.waiting() == 0 && s.withdrawnDropped() == 1);
        f.ctx.owner(0).tell(new IoasidOwner.Hang(false));
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.rejected()).isZero();
    }
}
