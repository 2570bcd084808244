package io.faultfabric.loadgen.run;

import io.faultfabric.loadgen.scenario.Suggestions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The scenario runners on the class path, by name; the default is the first present of {@link #PREFERENCE}. */
public final class Engines {
    /** The actor fabric when it is there, else the single-threaded baseline. */
    public static final List<String> PREFERENCE = List.of("fabric", DirectScenarioRunner.NAME);

    private final Map<String, ScenarioRunner> runners;

    public Engines(List<ScenarioRunner> runners) {
        Map<String, ScenarioRunner> byName = new LinkedHashMap<>();
        for (ScenarioRunner r : runners) {
            if (byName.putIfAbsent(r.name(), r) != null) throw new IllegalStateException("two scenario runners are named " + r.name());
        }
        if (byName.isEmpty()) throw new IllegalStateException("no scenario runner is available");
        this.runners = byName;
    }

    /** Every runner registered with {@link ServiceLoader}. */
    public static Engines load() {
        return new Engines(ServiceLoader.load(ScenarioRunner.class, Engines.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).toList());
    }

    public List<String> names() {
        return List.copyOf(runners.keySet());
    }

    public ScenarioRunner defaultRunner() {
        return PREFERENCE.stream().filter(runners::containsKey).findFirst().map(runners::get)
                .orElse(runners.values().iterator().next());
    }

    /** The runner called {@code name}; the exception's message lists the ones there are. */
    public ScenarioRunner get(String name) {
        ScenarioRunner r = runners.get(name);
        if (r == null) {
            throw new IllegalArgumentException("unknown engine " + name + "; " + Suggestions.closest(name, runners.keySet())
                    .map(s -> "did you mean " + s + "? ").orElse("") + "engines are " + String.join(", ", runners.keySet()));
        }
        return r;
    }
}
