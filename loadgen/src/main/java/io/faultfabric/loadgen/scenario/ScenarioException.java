package io.faultfabric.loadgen.scenario;

import java.util.List;

/** A scenario that cannot be used, with every problem found: each names the key path (or flag), the value, and what is allowed. */
public final class ScenarioException extends RuntimeException {
    private final List<String> errors;

    public ScenarioException(List<String> errors) {
        super(summary(errors));
        if (errors.isEmpty()) throw new IllegalArgumentException("a ScenarioException needs at least one error");
        this.errors = List.copyOf(errors);
    }

    public ScenarioException(String error) {
        this(List.of(error));
    }

    public List<String> errors() {
        return errors;
    }

    private static String summary(List<String> errors) {
        return errors.size() == 1 ? errors.get(0) : errors.size() + " problems:\n  " + String.join("\n  ", errors);
    }
}
