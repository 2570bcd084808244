package io.faultfabric.actors;

import io.faultfabric.engine.OwnerKind;
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
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** One fault, device to owner and back, for every owner kind in both routing modes. */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnerKindsEndToEndTest {

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("end-to-end").withCustomConfig(FabricFixture.config(false)).build();

    static Stream<Arguments> cases() {
        return Stream.of(OwnerKind.values()).flatMap(kind -> Stream.of(RoutingMode.values()).flatMap(mode ->
            Stream.of(ResponseCode.SUCCESS, ResponseCode.INVALID).map(code -> Arguments.of(kind, mode, code))));
    }

    @ParameterizedTest(name = "{0} in {1} mode answers {2}")
    @MethodSource("cases")
    void oneFaultIsAnsweredByItsOwner(OwnerKind kind, RoutingMode mode, ResponseCode expected) {
        FaultPolicy policy = new FaultPolicy(ServiceTime.ZERO, expected == ResponseCode.INVALID ? 1.0 : 0.0, 0.0, 16);
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(kind, mode, 2, 32, 128),
            FabricFixture.settings(FabricSettings.OwnerSupervision.RESTART), o -> policy);
        TestProbe<List<PageRequestGroup>> answers = f.subscribe(0);

        f.send(0, f.group(2, 7, 3));

        PageRequestGroup g = f.answered(answers, 0, 1).get(0);
        assertThat(g.code()).isEqualTo(expected);
        assertThat(g.autoReason()).isNull();
        assertThat(g.pasid()).isEqualTo(2);
        assertThat(g.requestCount()).isEqualTo(3);
        int handler = mode == RoutingMode.OWNER ? 1 : f.ctx.topology().deviceOwnerOf(0);
        assertThat(g.handler()).isEqualTo(handler);
        Device.Snapshot d = f.device(0);
        assertThat(d.creditsInUse()).isZero();
        assertThat(d.groupsOutstanding()).isZero();
        assertThat(d.ledger().groupsIssued).isEqualTo(1);
        assertThat(d.ledger().answered(expected)).isEqualTo(1);
        IommuUnit.Snapshot u = f.iommu(0);
        assertThat(u.ledger().answeredSent[expected.ordinal()]).isEqualTo(1);
        assertThat(u.ledger().responsesRejected()).isZero();
        assertThat(u.outstanding()).isZero();
        if (kind == OwnerKind.GUEST) {
            VIommu.Snapshot v = f.viommu(0);
            assertThat(v.injected()).isEqualTo(1);
            assertThat(v.answered(expected)).isEqualTo(1);
        }
        Fabric.Snapshot end = f.shutdown();
        assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
        assertThat(end.deviceLedger().groupsCompleted()).isEqualTo(1);
        assertThat(end.owners().unknownCookieWrites()).isZero();
    }
}
