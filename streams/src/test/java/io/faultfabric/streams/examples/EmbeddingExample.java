package io.faultfabric.streams.examples;

// example:begin
import io.faultfabric.engine.GroupResponse;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.Permissions;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import io.faultfabric.streams.FabricSnapshot;
import io.faultfabric.streams.FaultFabric;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;

/** A larger simulation starts a fabric in its own ActorSystem and drives one device with its own stream. */
public final class EmbeddingExample {
    public static FabricSnapshot run(ActorSystem<?> system) throws Exception {
        // 1 VT-d unit, 2 devices, 64 PASIDs in all, each its own host process (SVA)
        Topology topology = new UniformTopology(1, IommuKind.VTD, 2048, 2, 0, 64, 32, 1,
            UniformTopology.Assignment.CONTIGUOUS, List.of(OwnerKind.HOST_SVA), 0, 512, RoutingMode.OWNER).build();

        FaultFabric fabric = FaultFabric.builder(system, topology).seed(42).withResponses()
            .start().toCompletableFuture().get();

        int rid = topology.devicePfRid(0);
        int pasid = topology.pasidOf(0, 0);
        // 100 single-request groups on one PASID; the device has 32 credits, so the stream is paced by them
        List<PageRequest> requests = IntStream.range(0, 100)
            .mapToObj(i -> new PageRequest(rid, pasid, true, i % 512, 0x10_0000L + i * 4096L, Permissions.READ, true,
                System.nanoTime(), i))
            .toList();

        CompletionStage<List<GroupResponse>> answers = fabric.responses().take(100).runWith(Sink.seq(), system);
        Source.from(requests).runWith(fabric.pageRequests(rid), system);

        List<GroupResponse> got = answers.toCompletableFuture().get();
        System.out.println(got.size() + " responses, first: " + got.get(0));
        return fabric.shutdown().toCompletableFuture().get(); // answers anything still pending, checks the invariants
    }
}
// example:end
