package io.faultfabric.loadgen.run;

import io.faultfabric.engine.RoutingMode;
import io.faultfabric.loadgen.run.RunOutcome.AssertionResult;
import io.faultfabric.loadgen.scenario.Metrics;
import io.faultfabric.loadgen.scenario.ScenarioLoader;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunOutcomeTest {

    private static RunOutcome outcome() {
        Histogram latency = new Histogram(3);
        for (int v = 1; v <= 1000; v++) latency.recordValue(v);
        return new RunOutcome("s", 1, "direct", 2.0, 64, RoutingMode.OWNER, 1000, 990, 10, 495.0, latency,
                Map.of("answered.SUCCESS", 980L, "auto.TIMEOUT", 10L), Map.of("ONE_RESPONSE_PER_GROUP", 10L, "OUTCOMES_ADD_UP", 0L),
                Map.of(), List.of(), List.of(), 1L << 20, RunOutcome.Environment.current(), List.of(), List.of());
    }

    @Test
    void everyMetricAnAssertionMayNameHasAValue() {
        RunOutcome o = outcome();

        for (String metric : Metrics.ALL) assertThat(o.metric(metric)).as(metric).isNotNaN();
        assertThat(o.metric("lostGroups")).isEqualTo(10);
        assertThat(o.metric("p99Micros")).isEqualTo(990);
        assertThat(o.metric("outcomes.auto.TIMEOUT")).isEqualTo(10);
        assertThat(o.metric("outcomes.auto.NODE_DOWN")).isZero();
        assertThat(o.metric("violations")).isEqualTo(10);
        assertThat(o.metric("violations.ONE_RESPONSE_PER_GROUP")).isEqualTo(10);
        assertThatThrownBy(() -> o.metric("nonsense")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theScenariosAssertionsAreJudgedOnIt() {
        var scenario = new ScenarioLoader().loadShipped("default",
                List.of("scenario.assertions=[\"lostGroups == 0\", \"throughputPerSec >= 100\", \"meanMicros < 1000\"]"));

        RunOutcome judged = outcome().withAssertionsOf(scenario);

        assertThat(judged.assertions()).containsExactly(
                new AssertionResult("lostGroups == 0", false, "10"),
                new AssertionResult("throughputPerSec >= 100", true, "495"),
                new AssertionResult("meanMicros < 1000", true, "500.5"));
        assertThat(judged.failedAssertions()).extracting(AssertionResult::expression).containsExactly("lostGroups == 0");
    }

    @Test
    void formatsActualValuesForPeople() {
        assertThat(RunOutcome.format(0)).isEqualTo("0");
        assertThat(RunOutcome.format(4_212_345.6789)).isEqualTo("4212345.679");
        assertThat(RunOutcome.format(0.5)).isEqualTo("0.5");
    }

    @Test
    void histogramsAreCopiedSoTheOutcomeStaysAsItWas() {
        RunOutcome o = outcome();

        o.latencyMicros().recordValue(5);

        assertThat(o.latencyMicros().getTotalCount()).isEqualTo(1000);
    }
}
