package io.faultfabric.loadgen.run;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/**
 * The most heap a run used, from the heap memory pools' peak usage, which the JVM tracks across collections. The
 * pools peak at different moments, so their sum is an upper bound on the true peak; it never misses one.
 */
public final class HeapPeak {
    private final List<MemoryPoolMXBean> heapPools;

    private HeapPeak(List<MemoryPoolMXBean> heapPools) {
        this.heapPools = heapPools;
    }

    /** Starts measuring: resets the pools' peaks to their current usage. */
    public static HeapPeak start() {
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isValid()).toList();
        pools.forEach(MemoryPoolMXBean::resetPeakUsage);
        return new HeapPeak(pools);
    }

    public long bytes() {
        return heapPools.stream().filter(MemoryPoolMXBean::isValid).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }
}
