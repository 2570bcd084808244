package io.faultfabric.engine.jmh;

import io.faultfabric.engine.direct.DirectFabric;
import io.faultfabric.engine.workload.PasidChoice;
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

/**
 * The single-threaded fabric, the bench's baseline: a step of {@value #GROUPS} seeded groups issued by the devices,
 * queued, assembled, routed, answered by their owners and returned, with the checkers on. Time per group.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DirectFabricBenchmark {
    static final int GROUPS = 16_384;

    @Param({"4096", "65536"})
    public int pasids;

    @Param({"1", "16"})
    public int requestsPerGroup;

    private DirectFabric fabric;

    @Setup
    public void setup() {
        fabric = DirectFabric.builder(EngineFixture.topology(pasids)).seed(1).choice(PasidChoice.UNIFORM)
            .requestsPerGroup(requestsPerGroup, requestsPerGroup).build();
    }

    @Benchmark
    @OperationsPerInvocation(GROUPS)
    public long step() {
        return fabric.run(GROUPS).groupsCompletedInRun();
    }
}
