package io.faultfabric.engine.jmh;

import io.faultfabric.engine.IommuCore;
import io.faultfabric.engine.PageAddress;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.Permissions;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.topology.Topology;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One group through an IOMMU unit's core: its requests queued, drained, assembled until L=1, validated, routed by
 * the PASID table to the owner of its IOASID and made outstanding; then the owner's answer validated and sent back.
 * The requests are built beforehand, so this is the core's own cost per group.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GroupAssemblyBenchmark {
    @Param({"1", "16"})
    public int requestsPerGroup;

    @Param({"65536"})
    public int pasids;

    private EngineFixture.Capture out;
    private IommuCore core;
    private PageRequest[][] groups;
    private int next;

    @Setup
    public void setup() {
        Topology t = EngineFixture.topology(pasids);
        out = new EngineFixture.Capture();
        core = EngineFixture.core(t, out);
        // 4,096 groups over unit 0's devices and PASIDs, each on its own PRGI so that none is busy when it comes round again
        int[] rids = t.iommuRids(0);
        groups = new PageRequest[4096][];
        java.util.Random rnd = new java.util.Random(1);
        for (int k = 0; k < groups.length; k++) {
            int dev = t.deviceOfRid(rids[k % rids.length]);
            int pasid = t.pasidOf(dev, rnd.nextInt(t.pasidsPerFunction(dev)));
            int prgi = (k / rids.length) & 511;
            groups[k] = new PageRequest[requestsPerGroup];
            for (int i = 0; i < requestsPerGroup; i++) {
                groups[k][i] = new PageRequest(rids[k % rids.length], pasid, true, prgi, (0x1000L + i) * PageAddress.PAGE_SIZE,
                    Permissions.READ, i == requestsPerGroup - 1, 0, k);
            }
        }
    }

    @Benchmark
    public long assembleRouteAndAnswer() {
        PageRequest[] g = groups[next];
        next = (next + 1) & (groups.length - 1);
        for (PageRequest r : g) core.offer(r, 0);
        core.drain(Integer.MAX_VALUE, 0);
        PageRequestGroup d = out.dispatched.poll();
        core.respond(d, d.handler(), ResponseCode.SUCCESS);
        return out.responded;
    }
}
