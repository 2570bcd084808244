package io.faultfabric.actors;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.RejectReason;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.FaultPolicy;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;

import static io.faultfabric.actors.FabricSettings.OwnerSupervision.RESTART;
import static io.faultfabric.actors.FabricFixture.PF;
import static org.assertj.core.api.Assertions.assertThat;

/** Responses from the wrong owner, forged or stale ones are rejected and counted; detached groups are dropped quietly. */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponseValidationTest {

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("validation").withCustomConfig(FabricFixture.config(true)).build();

    @ParameterizedTest(name = "{0} mode")
    @EnumSource(RoutingMode.class)
    void forgedAndMisdirectedResponsesAreRejectedAndNeverDelivered(RoutingMode mode) {
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(OwnerKind.HOST_SVA, mode, 2, 32, 128),
            FabricFixture.settings(RESTART), o -> FaultPolicy.DEFAULT);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);
        int handler = mode == RoutingMode.OWNER ? 0 : f.ctx.topology().deviceOwnerOf(0);
        int notHandler = mode == RoutingMode.OWNER ? 1 : 0; // in DEVICE mode the address space's own owner is not the handler
        f.ctx.owner(0).tell(new IoasidOwner.Hang(true));
        f.send(0, f.group(1, 5, 1));
        f.awaitOwner(0, s -> s.waiting() == 1);
        long groupId = 0; // the unit's first group

        f.ctx.iommu(0).tell(new IommuUnit.RawAnswer(PF, 1, 5, groupId, notHandler, ResponseCode.SUCCESS));
        f.ctx.iommu(0).tell(new IommuUnit.RawAnswer(PF, 1, 6, groupId, handler, ResponseCode.SUCCESS));
        f.ctx.iommu(0).tell(new IommuUnit.RawAnswer(PF, 2, 5, groupId, handler, ResponseCode.SUCCESS));
        f.ctx.iommu(0).tell(new IommuUnit.RawAnswer(PF, 1, 5, groupId + 1, handler, ResponseCode.SUCCESS));
        f.ctx.iommu(0).tell(new IommuUnit.RawAnswer(0x200, 1, 5, groupId, handler, ResponseCode.SUCCESS));

        IommuUnit.Snapshot u = f.iommu(0);
        assertThat(u.ledger().rejected(RejectReason.WRONG_HANDLER)).isEqualTo(1);
        assertThat(u.ledger().rejected(RejectReason.NO_OUTSTANDING_GROUP)).isEqualTo(1);
        assertThat(u.ledger().rejected(RejectReason.PASID_MISMATCH)).isEqualTo(1);
        assertThat(u.ledger().rejected(RejectReason.STALE_GROUP)).isEqualTo(1);
        assertThat(u.ledger().rejected(RejectReason.UNKNOWN_DEVICE)).isEqualTo(1);
        assertThat(u.outstanding()).isEqualTo(1);
        assertThat(f.device(0).creditsInUse()).as("nothing was delivered").isEqualTo(1);

        f.ctx.owner(0).tell(new IoasidOwner.Hang(false));
        PageRequestGroup g = f.answered(answers, 0, 1).get(0);
        assertThat(g.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(g.autoReason()).isNull();

        f.ctx.iommu(0).tell(new IommuUnit.RawAnswer(PF, 1, 5, groupId, handler, ResponseCode.INVALID)); // a duplicate
        assertThat(f.iommu(0).ledger().rejected(RejectReason.NO_OUTSTANDING_GROUP)).isEqualTo(2);
        answers.expectNoMessage(Duration.ofMillis(50));
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.rejected()).isEqualTo(6);
        assertThat(end.deviceLedger().groupsCompleted()).isEqualTo(1);
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = OwnerKind.class, names = {"HOST_SVA", "USER_DRIVER"})
    void groupsOfADetachedAddressSpaceAreAnsweredByTheIommuAndDroppedByTheOwner(OwnerKind kind) {
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(kind, RoutingMode.OWNER, 2, 32, 128),
            FabricFixture.settings(RESTART), o -> FaultPolicy.DEFAULT);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);
        f.ctx.owner(0).tell(new IoasidOwner.Hang(true));
        f.send(0, f.group(1, 3, 2));
        f.awaitOwner(0, s -> s.waiting() == 1);
        TestProbe<StatusReply<Done>> detach = testKit.createTestProbe();

        f.ctx.iommu(0).tell(new IommuUnit.Detach(PF, 1, detach.ref()));

        PageRequestGroup g = f.answered(answers, 0, 1).get(0);
        assertThat(g.autoReason()).isEqualTo(AutoReason.DETACHED);
        assertThat(detach.receiveMessage(Duration.ofSeconds(10)).isSuccess()).isTrue();
        // the unit told the owner before it replied
        f.awaitOwner(0, s -> s.waiting() == 0 && s.detachedDropped() == 1);
        f.ctx.owner(0).tell(new IoasidOwner.Hang(false));
        assertThat(f.owner(0).waiting()).isZero();
        assertThat(f.iommu(0).ledger().responsesRejected()).as("the owner sent nothing late").isZero();
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.owners().detachedDropped()).isEqualTo(1);
    }

    @Test
    void aGuestResponseThatMatchesNothingInjectedIsCountedAndGoesNowhere() {
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(OwnerKind.GUEST, RoutingMode.OWNER, 2, 32, 128),
            FabricFixture.settings(RESTART), o -> FaultPolicy.DEFAULT);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);
        f.ctx.viommu(0).tell(new VIommu.Hang(true));
        f.send(0, f.group(1, 4, 1));
        f.awaitOwner(0, s -> s.fdAwaiting() == 1);
        int wrongGuestPasid = 1 ^ 0x55; // not how this vIOMMU translates PASID 1

        f.ctx.viommu(0).tell(new VIommu.GuestResponse(PF, wrongGuestPasid, 4, ResponseCode.SUCCESS));
        f.ctx.viommu(0).tell(new VIommu.GuestResponse(PF, 1, 9, ResponseCode.SUCCESS));

        VIommu.Snapshot v = f.viommu(0);
        assertThat(v.unmatchedResponses()).isEqualTo(2);
        assertThat(v.awaitingResponses()).isEqualTo(1);
        answers.expectNoMessage(Duration.ofMillis(50));
        f.ctx.viommu(0).tell(new VIommu.Hang(false));
        assertThat(f.answered(answers, 0, 1).get(0).code()).isEqualTo(ResponseCode.SUCCESS);
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.owners().unmatchedGuestResponses()).isEqualTo(2);
        assertThat(end.rejected()).isZero();
    }
}
