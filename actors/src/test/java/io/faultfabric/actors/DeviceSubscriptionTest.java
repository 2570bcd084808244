package io.faultfabric.actors;

import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.FaultPolicy;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static io.faultfabric.actors.FabricSettings.OwnerSupervision.RESTART;
import static org.assertj.core.api.Assertions.assertThat;

/** A device's response subscription ends only once its subscriber has everything and the end itself. */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceSubscriptionTest {

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("subscription").withCustomConfig(FabricFixture.config(false)).build();

    @Test
    void endResponsesRepliesOnlyAfterTheBatchInFlightIsAckedAndTheEndIsSent() {
        FabricFixture f = new FabricFixture(testKit, FabricFixture.tiny(OwnerKind.HOST_SVA, RoutingMode.OWNER, 2, 32, 128),
            FabricFixture.settings(RESTART), o -> FaultPolicy.DEFAULT);
        TestProbe<List<PageRequestGroup>> subscriber = f.subscribe(0);
        f.send(0, f.group(1, 1, 1));
        assertThat(subscriber.receiveMessage(Duration.ofSeconds(10))).hasSize(1); // not acked yet
        f.send(0, f.group(1, 2, 1)); // answered while the first batch awaits its ack: waits at the device
        TestProbe<Done> ended = testKit.createTestProbe();

        f.ctx.device(0).tell(new Device.EndResponses(ended.ref()));

        ended.expectNoMessage(Duration.ofMillis(100));
        f.ctx.device(0).tell(Device.Published.INSTANCE);
        assertThat(subscriber.receiveMessage(Duration.ofSeconds(10))).extracting(PageRequestGroup::prgi).containsExactly(2);
        ended.expectNoMessage(Duration.ofMillis(100));
        f.ctx.device(0).tell(Device.Published.INSTANCE);
        assertThat(subscriber.receiveMessage(Duration.ofSeconds(10))).isSameAs(Device.END_OF_RESPONSES);
        ended.expectMessage(Duration.ofSeconds(10), Done.getInstance());

        TestProbe<Done> again = testKit.createTestProbe();
        f.ctx.device(0).tell(new Device.EndResponses(again.ref()));
        again.expectMessage(Duration.ofSeconds(10), Done.getInstance()); // no subscriber left: at once
        f.shutdown();
    }
}
