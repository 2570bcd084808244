package io.faultfabric.loadgen.run;

import io.faultfabric.loadgen.scenario.Scenario;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnginesTest {

    private static ScenarioRunner named(String name) {
        return new ScenarioRunner() {
            @Override public String name() { return name; }
            @Override public String description() { return name; }
            @Override public RunOutcome run(Scenario scenario, RunOptions options, ProgressListener progress) { throw new UnsupportedOperationException(); }
        };
    }

    @Test
    void theDirectRunnerIsRegisteredAndIsTheDefaultUntilTheFabricArrives() {
        Engines engines = Engines.load();

        assertThat(engines.names()).contains("direct");
        assertThat(engines.get("direct")).isInstanceOf(DirectScenarioRunner.class);
        if (!engines.names().contains("fabric")) assertThat(engines.defaultRunner().name()).isEqualTo("direct");
    }

    @Test
    void theFabricIsPreferredWhenPresent() {
        assertThat(new Engines(List.of(new DirectScenarioRunner(), named("fabric"))).defaultRunner().name()).isEqualTo("fabric");
    }

    @Test
    void anUnknownEngineIsNamedWithTheOnesThereAre() {
        assertThatThrownBy(() -> Engines.load().get("drect")).hasMessageStartingWith("unknown engine drect; did you mean direct? engines are ")
                .hasMessageContaining("direct").hasMessageEndingWith(String.join(", ", Engines.load().names()));
        assertThatThrownBy(() -> new Engines(List.of(named("a"), named("a")))).hasMessage("two scenario runners are named a");
    }
}
