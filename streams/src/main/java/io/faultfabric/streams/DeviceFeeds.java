package io.faultfabric.streams;

import io.faultfabric.actors.Device;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.List;
import java.util.Optional;

/**
 * The stream edges of a device. Into the device: an ack-per-element sink, so the device's credits
 * are the stream's demand (the device acks an element only once all of it went out). Out of the
 * device: answered groups, acked per batch, so a slow consumer holds the device's credits.
 */
final class DeviceFeeds {
    private DeviceFeeds() {}

    /** Caller-built page requests into one device, batched while the device is busy. */
    static Sink<PageRequest, NotUsed> requests(ActorRef<Device.Command> device, int batch) {
        Sink<List<PageRequest>, NotUsed> sink = ActorSink.<List<PageRequest>, Device.Command, Device.Ack>actorRefWithBackpressure(
            device,
            (ackTo, list) -> new Device.Send(list, ackTo),
            Device.StreamStarted::new,
            Device.Ack.INSTANCE,
            Device.StreamCompleted.INSTANCE,
            Device.StreamFailed::new)
            // the sink would otherwise pull up to 16 lists (its default input buffer) ahead of the device's ack, and the
            // batch stage, always pulled, would pass on lists of one: one list waiting is enough, and lets batches form
            .addAttributes(Attributes.inputBuffer(1, 1));
        // batch only what arrives while the device has not acked: at most `batch` requests and one more, never dropping.
        // In all a stream holds at most: the device's element (part of it unsent), one list waiting in the sink, and
        // the batch stage's list and one request.
        return Flow.<PageRequest>create()
            .batch(batch, r -> { List<PageRequest> l = new ArrayList<>(batch); l.add(r); return l; }, (l, r) -> { l.add(r); return l; })
            .to(sink);
    }

    /**
     * Intended issue times into one device, which draws a seeded group for each until {@code deadlineNanos}. The
     * sink keeps its default input buffer (16 arrays): what it holds when the deadline passes is not issued.
     */
    static Sink<long[], NotUsed> tickets(ActorRef<Device.Command> device, int maxOutstanding, long deadlineNanos) {
        return ActorSink.<long[], Device.Command, Device.Ack>actorRefWithBackpressure(
            device,
            (ackTo, times) -> new Device.Generate(times, times.length, maxOutstanding, deadlineNanos, ackTo),
            Device.StreamStarted::new,
            Device.Ack.INSTANCE,
            Device.StreamCompleted.INSTANCE,
            Device.StreamFailed::new);
    }

    /**
     * As {@link #tickets}, materializing a stage that completes once the device has taken every element: the sink tells
     * the device its completion only after the last ack, and the device acks an element only once all of it is issued.
     * Watching the stream itself would say less: the sink pulls up to 16 elements ahead, so the stream can end while
     * the device has issued none of them.
     */
    static Sink<long[], CompletionStage<Done>> ticketsWatched(ActorRef<Device.Command> device, int maxOutstanding, long deadlineNanos) {
        return Sink.<long[], CompletionStage<Done>>fromMaterializer((mat, attrs) -> {
            CompletableFuture<Done> done = new CompletableFuture<>();
            Sink<long[], NotUsed> sink = ActorSink.<long[], Device.Command, Device.Ack>actorRefWithBackpressure(
                device,
                (ackTo, times) -> new Device.Generate(times, times.length, maxOutstanding, deadlineNanos, ackTo),
                Device.StreamStarted::new,
                Device.Ack.INSTANCE,
                new Device.StreamDone(done),
                cause -> {
                    done.completeExceptionally(cause);
                    return new Device.StreamFailed(cause);
                });
            return sink.mapMaterializedValue(x -> (CompletionStage<Done>) done);
        }).mapMaterializedValue(stage -> stage.thenCompose(s -> s));
    }

    /** Answered groups of one device; materializing it subscribes to the device. */
    static Source<List<PageRequestGroup>, NotUsed> responses(ActorRef<Device.Command> device) {
        return ActorSource.<List<PageRequestGroup>, Device.Command>actorRefWithBackpressure(
                device,
                Device.Published.INSTANCE,
                l -> l == Device.END_OF_RESPONSES ? Optional.of(CompletionStrategy.draining()) : Optional.empty(),
                l -> Optional.empty())
            .mapMaterializedValue(ref -> {
                device.tell(new Device.Subscribe(ref));
                return NotUsed.getInstance();
            });
    }
}
