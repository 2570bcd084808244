package io.faultfabric.loadgen.bench;

import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.topology.UniformTopology;
import io.faultfabric.engine.workload.PasidChoice;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One thing {@code faultfabric bench} measures. Every workload runs on the same shape of topology: 4 VT-d units,
 * 64 devices behind each (256), each device an allocation of 64 credits, its PASIDs spread evenly, one HOST_SVA
 * owner per PASID answering at once (service time zero), routing by owner.
 */
public sealed interface BenchWorkload {
    int IOMMUS = 4;
    int DEVICES_PER_IOMMU = 64;
    int ALLOCATION = 64;
    /** The Zipf exponent of the skewed workloads. */
    double ZIPF_EXPONENT = 1.1;

    String name();

    int pasids();

    String describe();

    /** The same seeded workload through DirectFabric and through the actor fabric (closed model, concurrency = allocation). */
    record Throughput(String name, int pasids, int requestsPerGroup, PasidChoice choice) implements BenchWorkload {
        @Override public String describe() {
            return String.format(Locale.ROOT, "%,d PASIDs, %d-request groups, %s PASID choice: direct vs fabric, closed model",
                pasids, requestsPerGroup, choice);
        }
    }

    /** The fabric's closed-model rate, then an open constant load at {@code loadFraction} of it, and its in-engine latency. */
    record Latency(String name, int pasids, double loadFraction) implements BenchWorkload {
        @Override public String describe() {
            return String.format(Locale.ROOT, "%,d PASIDs, single-request groups, uniform: latency at %.0f%% of the closed-model rate",
                pasids, loadFraction * 100);
        }
    }

    /** Heap per idle PASID (each its own owner actor, with its routing entry) and the time the topology takes to start. */
    record Memory(String name, int pasids) implements BenchWorkload {
        @Override public String describe() {
            return String.format(Locale.ROOT, "%,d PASIDs, each its own owner actor, idle: heap per PASID and start-up time", pasids);
        }
    }

    default UniformTopology topology() {
        return new UniformTopology(IOMMUS, IommuKind.VTD, 2048, DEVICES_PER_IOMMU, 0, pasids(), ALLOCATION, 1,
            UniformTopology.Assignment.CONTIGUOUS, List.of(OwnerKind.HOST_SVA), 0, 512, RoutingMode.OWNER);
    }

    /** Every workload of the full bench, in the order it runs them. */
    static List<BenchWorkload> full() {
        List<BenchWorkload> all = new ArrayList<>();
        for (int pasids : new int[] {4096, 65_536, 1 << 20}) {
            for (int requests : new int[] {1, 16}) {
                for (PasidChoice choice : new PasidChoice[] {PasidChoice.UNIFORM, PasidChoice.zipf(ZIPF_EXPONENT)}) {
                    all.add(new Throughput(label(pasids) + "-" + (requests == 1 ? "single" : "g" + requests) + "-"
                        + (choice.kind() == PasidChoice.Kind.UNIFORM ? "uniform" : "zipf"), pasids, requests, choice));
                }
            }
        }
        all.add(new Latency("latency-64k", 65_536, 0.5));
        all.add(new Memory("memory-1m", 1 << 20));
        return all;
    }

    /** The short bench (--quick): small topologies only, so that a test can run it in seconds. */
    static List<BenchWorkload> quick() {
        return List.of(
            new Throughput("4k-single-uniform", 4096, 1, PasidChoice.UNIFORM),
            new Throughput("4k-g16-zipf", 4096, 16, PasidChoice.zipf(ZIPF_EXPONENT)),
            new Latency("latency-4k", 4096, 0.5),
            new Memory("memory-16k", 16_384));
    }

    private static String label(int pasids) {
        return pasids >= 1 << 20 ? (pasids >> 20) + "m" : (pasids >> 10) + "k";
    }
}
