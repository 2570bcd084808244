package io.faultfabric.actors;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.DropReason;
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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.faultfabric.actors.FabricSettings.OwnerSupervision.RESTART;
import static io.faultfabric.actors.FabricSettings.OwnerSupervision.STOP;
import static org.assertj.core.api.Assertions.assertThat;

/** An owner that throws is restarted or stopped, and the groups it held are answered, never forgotten. */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnerSupervisionTest {
    private static final Duration SERVICE = Duration.ofMillis(200);

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("supervision").withCustomConfig(FabricFixture.config(true)).build();

    static Stream<Arguments> cases() {
        return Stream.of(RESTART, STOP).flatMap(s -> Stream.of(RoutingMode.values()).map(m -> Arguments.of(s, m)));
    }

    @ParameterizedTest(name = "{0} in {1} mode")
    @MethodSource("cases")
    void aCrashedOwnersPendingGroupsAreAnsweredResponseFailureAndResetBringsPriBack(FabricSettings.OwnerSupervision supervision,
                                                                                  RoutingMode mode) {
        FaultPolicy slow = new FaultPolicy(ServiceTime.constant(SERVICE.toNanos()), 0, 0, 16);
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(OwnerKind.HOST_SVA, mode, 2, 32, 128),
            FabricFixture.settings(supervision), o -> o == 0 ? slow : FaultPolicy.DEFAULT);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);
        List<PageRequest> three = new ArrayList<>();
        for (int prgi = 0; prgi < 3; prgi++) three.addAll(f.group(1, prgi, 1));
        f.send(0, three);
        f.awaitOwner(0, s -> s.serving() && s.waiting() == 2);

        f.ctx.owner(0).tell(new IoasidOwner.Crash("test"));

        List<PageRequestGroup> failed = f.answered(answers, 0, 3);
        assertThat(failed).extracting(PageRequestGroup::autoReason).containsOnly(AutoReason.HANDLER_FAILED);
        assertThat(failed).extracting(PageRequestGroup::code).containsOnly(ResponseCode.RESPONSE_FAILURE);
        Device.Snapshot afterFailure = f.device(0);
        assertThat(afterFailure.priEnabled()).isFalse();
        assertThat(afterFailure.responseFailure()).isTrue();
        assertThat(afterFailure.creditsInUse()).isZero();

        f.send(0, f.group(2, 9, 1));
        assertThat(f.device(0).ledger().dropped(DropReason.PRI_DISABLED)).as("PRI stays disabled until reset").isEqualTo(1);

        assertThat(f.reset(0).isSuccess()).isTrue();
        Device.Snapshot afterReset = f.device(0);
        assertThat(afterReset.priEnabled()).isTrue();
        assertThat(afterReset.responseFailure()).isFalse();

        f.send(0, f.group(1, 3, 1));
        PageRequestGroup later;
        if (supervision == RESTART) {
            f.awaitOwner(0, IoasidOwner.Snapshot::serving);
            f.manualTime().timePasses(SERVICE);
            later = f.answered(answers, 0, 1).get(0);
            assertThat(later.code()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(later.autoReason()).isNull();
        } else {
            // a stopped owner answers nothing: the IOMMU's timeout does
            f.manualTime().timePasses(FabricFixture.TIMEOUT.plus(FabricFixture.TICK));
            later = f.answered(answers, 0, 1).get(0);
            assertThat(later.autoReason()).isEqualTo(AutoReason.TIMEOUT);
        }
        assertThat(later.prgi()).isEqualTo(3);
        assertThat(f.device(0).creditsInUse()).isZero();
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.owners().ownerFailures()).isEqualTo(1);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    @ParameterizedTest(name = "{0} mode")
    @EnumSource(RoutingMode.class)
    void aRestartedGuestOwnersOldCookiesNeverReceiveTheGuestsLateAnswers(RoutingMode mode) {
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(OwnerKind.GUEST, mode, 2, 32, 128),
            FabricFixture.settings(RESTART), o -> FaultPolicy.DEFAULT);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);
        f.ctx.viommu(0).tell(new VIommu.Hang(true));
        List<PageRequest> two = new ArrayList<>(f.group(1, 0, 1));
        two.addAll(f.group(1, 1, 1));
        f.send(0, two);
        f.awaitOwner(0, s -> s.fdAwaiting() == 2); // both at the guest, cookies 1 and 2

        f.ctx.owner(0).tell(new IoasidOwner.Crash("VMM restarts"));

        List<PageRequestGroup> failed = f.answered(answers, 0, 2);
        assertThat(failed).extracting(PageRequestGroup::autoReason).containsOnly(AutoReason.HANDLER_FAILED);
        assertThat(f.reset(0).isSuccess()).isTrue();
        f.send(0, f.group(1, 2, 1)); // the new incarnation hands out cookie 1 again
        f.awaitOwner(0, s -> s.fdAwaiting() == 1);
        f.ctx.viommu(0).tell(new VIommu.Hang(false));

        PageRequestGroup fresh = f.answered(answers, 0, 1).get(0);
        assertThat(fresh.prgi()).isEqualTo(2);
        assertThat(fresh.code()).isEqualTo(ResponseCode.SUCCESS);
        answers.expectNoMessage(Duration.ofMillis(100));
        VIommu.Snapshot v = f.viommu(0);
        assertThat(v.forgotten()).isEqualTo(2);
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.owners().unmatchedGuestResponses()).as("the guest's answers to the old groups went nowhere").isEqualTo(2);
        assertThat(end.owners().unknownCookieWrites()).isZero();
        assertThat(end.rejected()).isZero();
        assertThat(end.deviceLedger().groupsCompleted()).isEqualTo(3);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }
}
