package io.faultfabric.engine.jmh;

import io.faultfabric.engine.IommuCore;
import io.faultfabric.engine.PageAddress;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.Permissions;
import io.faultfabric.engine.RejectReason;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.topology.Topology;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Response validation at an IOMMU unit: a response that names an outstanding group but comes from the wrong handler,
 * or names a stale instance of the PRGI, is rejected and counted. The group stays outstanding, so every call does the
 * same checks (the accepted path is measured by GroupAssemblyBenchmark).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResponseValidationBenchmark {
    private IommuCore core;
    private PageRequestGroup g;

    @Setup
    public void setup() {
        Topology t = EngineFixture.topology(65_536);
        EngineFixture.Capture out = new EngineFixture.Capture();
        core = EngineFixture.core(t, out);
        int rid = t.devicePfRid(0);
        core.offer(new PageRequest(rid, t.pasidOf(0, 3), true, 5, 0x7000L * PageAddress.PAGE_SIZE, Permissions.READ, true, 0, 1), 0);
        core.drain(Integer.MAX_VALUE, 0);
        g = out.dispatched.poll();
    }

    @Benchmark
    public RejectReason wrongHandler() {
        return core.respond(g.rid(), g.pasid(), g.prgi(), g.groupId(), g.handler() + 1, ResponseCode.SUCCESS, null);
    }

    @Benchmark
    public RejectReason staleGroup() {
        return core.respond(g.rid(), g.pasid(), g.prgi(), g.groupId() + 1, g.handler(), ResponseCode.SUCCESS, null);
    }
}
