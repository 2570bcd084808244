package io.faultfabric.loadgen.scenario;

import io.faultfabric.engine.workload.LoadProfile;
import com.typesafe.config.Config;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import io.faultfabric.engine.workload.PasidChoice;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * One load-generation scenario, validated: what fabric to build, how to load it, how owners answer, when to stop,
 * what to inject and what must hold at the end. Usually made by {@link ScenarioLoader} from HOCON.
 *
 * @param policies how each kind of owner answers; every {@link OwnerKind} has one
 * @param fabric   overrides of the {@code faultfabric { }} Pekko settings, keyed as in its reference.conf
 *                 (e.g. {@code response-timeout}); see {@link #fabricConfig()}
 */
public record Scenario(String name, String description, long seed, UniformTopology topology, LoadProfile load,
                       PasidChoice pasidChoice, RequestsPerGroup requestsPerGroup, Map<OwnerKind, FaultPolicy> policies,
                       StopCondition stop, Config fabric, List<Assertion> assertions, List<FaultSpec> faults) {

    /** Names become report directory names, so they stay plain. */
    public static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]*";

    public Scenario {
        Objects.requireNonNull(name, "name");
        if (!name.matches(NAME_PATTERN)) throw new IllegalArgumentException("name must be letters, digits, '.', '_' or '-', was \"" + name + "\"");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(load, "load");
        Objects.requireNonNull(pasidChoice, "pasidChoice");
        Objects.requireNonNull(requestsPerGroup, "requestsPerGroup");
        Objects.requireNonNull(stop, "stop");
        Objects.requireNonNull(fabric, "fabric");
        Map<OwnerKind, FaultPolicy> copy = new EnumMap<>(OwnerKind.class);
        copy.putAll(Objects.requireNonNull(policies, "policies"));
        for (OwnerKind kind : OwnerKind.values()) {
            if (copy.get(kind) == null) throw new IllegalArgumentException("policies must name a FaultPolicy for " + kind);
        }
        policies = Collections.unmodifiableMap(copy);
        assertions = List.copyOf(assertions);
        faults = List.copyOf(faults);
        if (requestsPerGroup.max() > topology.allocation()) {
            throw new IllegalArgumentException("requestsPerGroup.max (" + requestsPerGroup.max() + ") exceeds the device allocation ("
                    + topology.allocation() + "): such a group could never be issued");
        }
    }

    public FaultPolicy policy(OwnerKind kind) {
        return policies.get(kind);
    }

    /** Each owner's policy by its index in {@code built}, which must be this scenario's topology built. */
    public IntFunction<FaultPolicy> ownerPolicies(Topology built) {
        FaultPolicy[] byKind = new FaultPolicy[OwnerKind.values().length];
        policies.forEach((kind, policy) -> byKind[kind.ordinal()] = policy);
        return owner -> byKind[built.ownerKind(owner).ordinal()];
    }

    /** The fabric overrides as a Pekko config fragment: lay it over the application's config with {@code withFallback}. */
    public Config fabricConfig() {
        return fabric.atKey("faultfabric");
    }

    public Scenario withSeed(long newSeed) {
        return new Scenario(name, description, newSeed, topology, load, pasidChoice, requestsPerGroup, policies, stop, fabric, assertions, faults);
    }

    public Scenario withStop(StopCondition newStop) {
        return new Scenario(name, description, seed, topology, load, pasidChoice, requestsPerGroup, policies, newStop, fabric, assertions, faults);
    }

    public Scenario withTopology(UniformTopology newTopology) {
        return new Scenario(name, description, seed, newTopology, load, pasidChoice, requestsPerGroup, policies, stop, fabric, assertions, faults);
    }
}
