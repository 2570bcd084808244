package io.faultfabric.actors;

import com.typesafe.config.ConfigFactory;
import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.ResponseCode;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batched messages that cross nodes are serialized by jackson-cbor (faultfabric-cluster.conf binds CrossNode to it
 * and turns Java serialization off) and come back with every group's fields, including both kinds of outcome.
 */
class CrossNodeSerializationTest {
    private static final ActorTestKit KIT = ActorTestKit.create("serialization",
        ConfigFactory.parseResources("faultfabric-cluster.conf").withFallback(ConfigFactory.load()));

    @AfterAll
    static void down() {
        KIT.shutdownTestKit();
    }

    private static Object roundTrip(Object m) {
        Serialization s = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        Serializer serializer = s.findSerializerFor(m);
        assertThat(serializer).as("serializer of " + m.getClass().getSimpleName()).isInstanceOf(JacksonCborSerializer.class);
        byte[] bytes = s.serialize(m).get();
        return s.deserialize(bytes, serializer.identifier(), org.apache.pekko.serialization.Serializers.manifestFor(serializer, m)).get();
    }

    @Test
    void aBatchOfGroupsCrossesNodesWithEveryField() {
        TestProbe<OwnerGateway.AnsweredBatch> gateway = KIT.createTestProbe();
        TestProbe<OwnerGateway.Answered> answers = KIT.createTestProbe();
        ShardedOwner.Handle served = new ShardedOwner.Handle(1, 0x100, 77, 5, 123_456_789_012L, 9, 10, 3, 42L, ResponseCode.INVALID,
            null, 15_000, 64, answers.getRef(), 0);
        ShardedOwner.Handle failing = new ShardedOwner.Handle(2, 0x208, 1 << 19, 511, 7L, (1 << 20) - 1, 11, 1, 43L, null,
            AutoReason.HANDLER_FAILED, 0, 4096, answers.getRef(), 2);
        OwnerInbox.Batch batch = (OwnerInbox.Batch) roundTrip(OwnerInbox.Batch.of(List.of(served, failing), gateway.getRef()));
        assertThat(batch.size()).isEqualTo(2);
        assertThat(batch.replyTo()).isEqualTo(gateway.getRef());
        assertThat(batch.handle(0, answers.getRef())).isEqualTo(served);
        assertThat(batch.handle(1, answers.getRef())).isEqualTo(failing);
    }

    @Test
    void aBatchOfAnswersCrossesNodesWithEveryFieldAndNode() {
        OwnerGateway.Answered a = new OwnerGateway.Answered(1, 0x100, 77, 5, 123_456_789_012L, 9, ResponseCode.SUCCESS, null,
            "pekko://faultfabric@127.0.0.1:2552");
        OwnerGateway.Answered b = new OwnerGateway.Answered(0, 0x101, 78, 6, 2L, 10, null, AutoReason.OWNER_QUEUE_FULL,
            "pekko://faultfabric@127.0.0.1:2553");
        OwnerGateway.Answered c = new OwnerGateway.Answered(0, 0x102, 79, 7, 3L, 11, ResponseCode.RESPONSE_FAILURE, null,
            "pekko://faultfabric@127.0.0.1:2552");
        OwnerGateway.Answered dropped = new OwnerGateway.Answered(0, 0x103, 80, 8, 4L, 12, null, null, "pekko://faultfabric@127.0.0.1:2553");
        OwnerGateway.AnsweredBatch batch = (OwnerGateway.AnsweredBatch) roundTrip(OwnerGateway.AnsweredBatch.of(List.of(a, b, c, dropped)));
        assertThat(List.of(batch.answered(0), batch.answered(1), batch.answered(2), batch.answered(3))).containsExactly(a, b, c, dropped);
        assertThat(batch.answered(3).dropped()).isTrue();
        // one answer alone crosses nodes too (an owner answering a group its region forwarded from another node)
        assertThat(roundTrip(dropped)).isEqualTo(dropped);
        assertThat(roundTrip(b)).isEqualTo(b);
        assertThat(batch.answered(1).dropped()).isFalse();
        assertThat(batch.nodes()).as("each node named once").hasSize(2);
    }
}
