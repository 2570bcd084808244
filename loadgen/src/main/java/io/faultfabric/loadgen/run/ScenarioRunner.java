package io.faultfabric.loadgen.run;

import io.faultfabric.loadgen.scenario.Scenario;

/**
 * Runs a scenario on some engine and says what happened. Implementations are found with {@link java.util.ServiceLoader}
 * (list the class in {@code META-INF/services/io.faultfabric.loadgen.run.ScenarioRunner}) and chosen by
 * {@code faultfabric run --engine <name>}; see {@link Engines}.
 */
public interface ScenarioRunner {

    /** The engine's name for {@code --engine}, e.g. {@code direct} or {@code fabric}. */
    String name();

    /** One line for {@code --help}. */
    String description();

    /**
     * Refuses, before anything is started or written, a scenario this engine cannot run; the default accepts every scenario.
     *
     * @throws io.faultfabric.loadgen.scenario.ScenarioException naming the scenario key this engine cannot honour
     */
    default void check(Scenario scenario) {}

    /**
     * Runs {@code scenario} until its stop condition, calling {@code progress} about once per
     * {@link RunOptions#progressInterval()}, and returns the outcome with {@link RunOutcome#assertions()} empty: the
     * caller evaluates the scenario's assertions with {@link RunOutcome#withAssertionsOf(Scenario)}.
     *
     * @throws io.faultfabric.loadgen.scenario.ScenarioException when this engine cannot run something the scenario asks for
     */
    RunOutcome run(Scenario scenario, RunOptions options, ProgressListener progress);
}
