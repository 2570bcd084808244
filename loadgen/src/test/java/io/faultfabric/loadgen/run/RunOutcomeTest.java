package io.faultfabric.loadgen.run;

import io.faultfabric.engine.RoutingMode;
import io.faultfabric.loadgen.report.RunReport;
import io.faultfabric.loadgen.report.RunReport.AssertionResult;
import io.faultfabric.loadgen.report.RunReport.Environment;
import io.faultfabric.loadgen.report.RunReport.FaultWindow;
import io.faultfabric.loadgen.report.RunReport.TimelinePoint;
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
                Map.of(), List.of(), List.of(), 1L << 20, Environment.current(), List.of(), List.of());
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

    @Test
    void anEmptyRunReadsZeroLatencyRatherThanNothing() {
        RunOutcome o = new RunOutcome("s", 1, "direct", 0, 64, RoutingMode.OWNER, 0, 0, 0, 0, new Histogram(3), Map.of(), Map.of(),
                Map.of(), List.of(), List.of(), 0, Environment.current(), List.of(), List.of());

        assertThat(o.metric(Metrics.MEAN_MICROS)).isZero();
        assertThat(o.metric(Metrics.P999_MICROS)).isZero();
        assertThat(o.toReport().latencyMicros().count()).isZero();
    }

    @Test
    void theReportCarriesEveryFieldOfTheOutcomeAcross() {
        Histogram latency = new Histogram(3);
        latency.setStartTimeStamp(1_000);
        latency.recordValue(42);
        latency.setEndTimeStamp(2_000);
        FaultWindow fault = new FaultWindow("owner-hang", 0.5, 1.5, "owner of PASID 3 stops");
        AssertionResult assertion = new AssertionResult("lostGroups == 0", true, "0");
        Environment environment = new Environment(4, "jvm", 1L << 30, "os");
        TimelinePoint point = new TimelinePoint(1.0, 990, 7, 42);
        RunOutcome o = new RunOutcome("s", -3, "direct", 2.0, 64, RoutingMode.DEVICE, 1000, 990, 10, 495.0, latency,
                Map.of("answered.SUCCESS", 990L), Map.of("ONE_RESPONSE_PER_GROUP", 1L), Map.of("ONE_RESPONSE_PER_GROUP", List.of("group 9 twice")),
                List.of(fault), List.of(assertion), 1L << 20, environment, List.of(point), List.of(latency));

        RunReport r = o.toReport();

        assertThat(r.scenario()).isEqualTo("s");
        assertThat(r.seed()).isEqualTo(-3);
        assertThat(r.engine()).as("direct and fabric runs are told apart in the report").isEqualTo("direct");
        assertThat(r.durationSeconds()).isEqualTo(2.0);
        assertThat(r.pasids()).isEqualTo(64);
        assertThat(r.routingMode()).isEqualTo("DEVICE");
        assertThat(r.issuedGroups()).isEqualTo(1000);
        assertThat(r.completedGroups()).isEqualTo(990);
        assertThat(r.lostGroups()).isEqualTo(10);
        assertThat(r.throughputPerSec()).isEqualTo(495.0);
        assertThat(r.latency()).isEqualTo(latency);
        assertThat(r.latencyMicros()).isEqualTo(o.latencySummary());
        assertThat(r.outcomes()).isEqualTo(o.outcomes());
        assertThat(r.violations()).isEqualTo(o.violations());
        assertThat(r.counterexamples()).isEqualTo(o.counterexamples());
        assertThat(r.faultsInjected()).containsExactly(fault);
        assertThat(r.assertions()).containsExactly(assertion);
        assertThat(r.heapPeakBytes()).isEqualTo(1L << 20);
        assertThat(r.environment()).isEqualTo(environment);
        assertThat(r.timeline()).containsExactly(point);
        assertThat(r.intervalHistograms()).containsExactly(latency);
        assertThat(RunReport.class.getRecordComponents()).as("every report field is mapped above")
                .hasSize(RunOutcome.class.getRecordComponents().length);
    }
}
