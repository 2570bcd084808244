package io.faultfabric.engine.jmh;

import io.faultfabric.engine.RoutingTable;
import io.faultfabric.engine.topology.Topology;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** The PASID table: (RID, PASID) to IOASID and IOASID to owner, for random keys of one unit's table. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoutingLookupBenchmark {
    private static final int KEYS = 1 << 16;

    /** PASIDs across the topology; one unit holds a quarter of them. */
    @Param({"4096", "65536", "1048576"})
    public int pasids;

    private RoutingTable table;
    private int[] rids;
    private int[] pasidKeys;

    @Setup
    public void setup() {
        Topology t = EngineFixture.topology(pasids);
        table = EngineFixture.core(t, new EngineFixture.Capture()).routing();
        int[] unitRids = t.iommuRids(0);
        rids = new int[KEYS];
        pasidKeys = new int[KEYS];
        java.util.Random rnd = new java.util.Random(7);
        for (int k = 0; k < KEYS; k++) {
            int rid = unitRids[rnd.nextInt(unitRids.length)];
            int dev = t.deviceOfRid(rid);
            rids[k] = rid;
            pasidKeys[k] = t.pasidOf(dev, rnd.nextInt(t.pasidsPerFunction(dev)));
        }
    }

    @Benchmark
    @OperationsPerInvocation(KEYS)
    public long lookupOwner() {
        long sum = 0;
        for (int k = 0; k < KEYS; k++) sum += table.ownerOf(table.ioasidAt(rids[k], pasidKeys[k]));
        return sum;
    }
}
