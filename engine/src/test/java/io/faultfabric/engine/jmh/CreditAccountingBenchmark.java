package io.faultfabric.engine.jmh;

import io.faultfabric.engine.DeviceState;
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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * A device's credit accounting: a full allocation of single-request groups issued (PRGI taken, credit taken, group
 * closed), then every group's response taken back (credits returned, outcome counted).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CreditAccountingBenchmark {
    private static final int ALLOCATION = 64;

    private DeviceState device;
    private PageRequest[] requests;
    private PageRequestGroup[] answered;

    @Setup
    public void setup() {
        Topology t = EngineFixture.topology(4096);
        int rid = t.devicePfRid(0);
        device = new DeviceState(new int[] {rid}, ALLOCATION);
        requests = new PageRequest[ALLOCATION];
        answered = new PageRequestGroup[ALLOCATION];
        // answered groups to hand back, made by a real core so that they are what a device receives
        EngineFixture.Capture out = new EngineFixture.Capture();
        IommuCore core = EngineFixture.core(t, out);
        for (int p = 0; p < ALLOCATION; p++) {
            requests[p] = new PageRequest(rid, t.pasidOf(0, p % t.pasidsPerFunction(0)), true, p, (0x1000L + p) * PageAddress.PAGE_SIZE,
                Permissions.READ, true, 0, p);
            core.offer(requests[p], 0);
        }
        core.drain(Integer.MAX_VALUE, 0);
        for (int p = 0; p < ALLOCATION; p++) {
            answered[p] = out.dispatched.poll();
            core.respond(answered[p], answered[p].handler(), ResponseCode.SUCCESS);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ALLOCATION)
    public int issueAndAnswer() {
        for (PageRequest r : requests) {
            if (device.issue(r) != DeviceState.Issue.ISSUED) throw new IllegalStateException("not issued: " + r);
        }
        for (PageRequestGroup g : answered) device.onResponse(g);
        return device.creditsInUse();
    }
}
