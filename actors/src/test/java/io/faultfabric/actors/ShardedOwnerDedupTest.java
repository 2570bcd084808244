package io.faultfabric.actors;

import com.typesafe.config.ConfigFactory;
import io.faultfabric.engine.ResponseCode;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sharded owner serves a group once however often the gateway re-sends it: a re-send of a group it holds (queued or
 * in service) or has answered is ignored; a re-send of a group it never saw (its first copy was lost with the shard's
 * old home) is served. Driven directly (no sharding), on manual time, on a cluster-provider system that joins nothing.
 */
class ShardedOwnerDedupTest {
    private static final ActorTestKit KIT = ActorTestKit.create("dedup", ManualTime.config()
        .withFallback(ConfigFactory.parseString("pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0"))
        .withFallback(ConfigFactory.load()));
    private static final ManualTime TIME = ManualTime.get(KIT.system());
    private static final long SERVICE = Duration.ofMillis(100).toNanos();

    @AfterAll
    static void down() {
        KIT.shutdownTestKit();
    }

    private static ShardedOwner.Handle group(long groupId, ActorRef<OwnerGateway.Answered> replyTo) {
        return new ShardedOwner.Handle(0, 0x100, 5, (int) (groupId % 512), groupId, 7, 7, 1, groupId, ResponseCode.SUCCESS, null,
            SERVICE, 16, replyTo, 0);
    }

    @Test
    void aReSentGroupThatIsQueuedInServiceOrAnsweredIsAnsweredOnce() {
        TestProbe<OwnerGateway.Answered> gateway = KIT.createTestProbe();
        ActorRef<ShardedOwner.Command> owner = KIT.spawn(ShardedOwner.create(7));
        ShardedOwner.Handle first = group(1, gateway.getRef());
        ShardedOwner.Handle second = group(2, gateway.getRef());
        owner.tell(first);
        owner.tell(second);
        owner.tell(first.again(1));   // in service
        owner.tell(second.again(1));  // queued
        TIME.timePasses(Duration.ofNanos(SERVICE));
        assertThat(gateway.receiveMessage().groupId()).isEqualTo(1);
        owner.tell(first.again(2));   // answered
        TIME.timePasses(Duration.ofNanos(SERVICE));
        assertThat(gateway.receiveMessage().groupId()).isEqualTo(2);
        TIME.timePasses(Duration.ofNanos(SERVICE * 4));
        TIME.expectNoMessageFor(Duration.ofMillis(200), gateway);
    }

    @Test
    void theSameKeyFromAnotherFabricsGatewayIsANewGroup() {
        // owners nodes outlive a run: the next run's gateway counts its group ids from the start again
        TestProbe<OwnerGateway.Answered> firstRun = KIT.createTestProbe();
        TestProbe<OwnerGateway.Answered> secondRun = KIT.createTestProbe();
        ActorRef<ShardedOwner.Command> owner = KIT.spawn(ShardedOwner.create(7));
        owner.tell(group(9, firstRun.getRef()));
        TIME.timePasses(Duration.ofNanos(SERVICE));
        assertThat(firstRun.receiveMessage().groupId()).isEqualTo(9);
        owner.tell(group(9, secondRun.getRef()));
        TIME.timePasses(Duration.ofNanos(SERVICE));
        assertThat(secondRun.receiveMessage().groupId()).isEqualTo(9);
        owner.tell(group(9, secondRun.getRef()).again(1)); // and that one's re-send is still a copy
        TIME.timePasses(Duration.ofNanos(SERVICE * 2));
        TIME.expectNoMessageFor(Duration.ofMillis(200), firstRun, secondRun);
    }

    @Test
    void aReSentGroupThatNeverArrivedIsServedAsNew() {
        TestProbe<OwnerGateway.Answered> gateway = KIT.createTestProbe();
        ActorRef<ShardedOwner.Command> owner = KIT.spawn(ShardedOwner.create(7));
        owner.tell(group(3, gateway.getRef()).again(2));
        TIME.timePasses(Duration.ofNanos(SERVICE));
        OwnerGateway.Answered a = gateway.receiveMessage();
        assertThat(List.of(a.groupId(), (long) a.from())).containsExactly(3L, 7L);
        assertThat(a.code()).isEqualTo(ResponseCode.SUCCESS);
    }

    @Test
    void theFirstCopyOvertakenByItsReSendIsNotServedAgain() {
        TestProbe<OwnerGateway.Answered> gateway = KIT.createTestProbe();
        ActorRef<ShardedOwner.Command> owner = KIT.spawn(ShardedOwner.create(7));
        ShardedOwner.Handle g = group(4, gateway.getRef());
        owner.tell(g.again(1));
        owner.tell(g);               // the first copy, later: in service
        TIME.timePasses(Duration.ofNanos(SERVICE));
        assertThat(gateway.receiveMessage().groupId()).isEqualTo(4);
        owner.tell(g);               // and once more after the answer
        TIME.timePasses(Duration.ofNanos(SERVICE * 2));
        TIME.expectNoMessageFor(Duration.ofMillis(200), gateway);
    }

    @Test
    void anOwnerStoppedWithGroupsUnansweredReportsThemDroppedAndNothingElse() {
        // a handoff stops the entity: its queued and in-service groups are reported back, to be sent to the next home
        TestProbe<OwnerGateway.Answered> gateway = KIT.createTestProbe();
        ActorRef<ShardedOwner.Command> owner = KIT.spawn(ShardedOwner.create(7));
        owner.tell(group(20, gateway.getRef()));
        owner.tell(group(21, gateway.getRef()));
        owner.tell(group(22, gateway.getRef()));
        TIME.timePasses(Duration.ofNanos(SERVICE));
        // 20's answer comes from its service timer, which the owner handles after 21 and 22: both are in its queue now
        // (a stop overtakes messages still in the mailbox; those the gateway's re-send timer covers)
        OwnerGateway.Answered served = gateway.receiveMessage();
        assertThat(served.groupId()).isEqualTo(20);
        assertThat(served.dropped()).isFalse();
        KIT.stop(owner);
        List<OwnerGateway.Answered> dropped = gateway.receiveSeveralMessages(2);
        assertThat(dropped).extracting(OwnerGateway.Answered::groupId).containsExactly(21L, 22L);
        assertThat(dropped).allMatch(OwnerGateway.Answered::dropped);
        TIME.timePasses(Duration.ofNanos(SERVICE * 3));
        TIME.expectNoMessageFor(Duration.ofMillis(200), gateway);
    }

    @Test
    void onlyTheLastAnswersAreRemembered() {
        // a group answered longer ago than the last REMEMBERED answers is served again: the memory is bounded per owner
        TestProbe<OwnerGateway.Answered> gateway = KIT.createTestProbe();
        ActorRef<ShardedOwner.Command> owner = KIT.spawn(ShardedOwner.create(7));
        for (long g = 10; g < 10 + ShardedOwner.REMEMBERED + 1; g++) {
            owner.tell(group(g, gateway.getRef()));
            TIME.timePasses(Duration.ofNanos(SERVICE));
            assertThat(gateway.receiveMessage().groupId()).isEqualTo(g);
        }
        owner.tell(group(10, gateway.getRef()).again(1));
        owner.tell(group(11, gateway.getRef()).again(1));
        TIME.timePasses(Duration.ofNanos(SERVICE * 2));
        assertThat(gateway.receiveMessage().groupId()).isEqualTo(10);
        TIME.expectNoMessageFor(Duration.ofMillis(200), gateway);
    }
}
