package io.faultfabric.loadgen.scenario;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.DropReason;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.RejectReason;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.loadgen.scenario.Assertion.Comparison;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AssertionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "lostGroups == 0           | 0    | true",
            "lostGroups == 0           | 1    | false",
            "violations != 0           | 0    | false",
            "p99Micros < 500           | 499  | true",
            "p99Micros < 500           | 500  | false",
            "p99Micros <= 500          | 500  | true",
            "throughputPerSec > 1e15   | 4e6  | false",
            "throughputPerSec >= 1000  | 1000 | true",
            "outcomes.auto.TIMEOUT<=10 | 10   | true",
            "meanMicros > .5           | 0.6  | true"})
    void comparesANamedMetricWithANumber(String expression, double actual, boolean holds) {
        assertThat(Assertion.parse(expression).holds(actual)).isEqualTo(holds);
    }

    @Test
    void keepsTheExpressionAsWrittenAndItsParts() {
        Assertion a = Assertion.parse("  violations.OUTCOMES_ADD_UP == 0 ");

        assertThat(a).isEqualTo(new Assertion("violations.OUTCOMES_ADD_UP == 0", "violations.OUTCOMES_ADD_UP", Comparison.EQ, 0));
    }

    @Test
    void refusesWhatIsNotMetricComparisonNumber() {
        for (String bad : new String[] {"lostGroups", "lostGroups = 0", "lostGroups == zero", "0 == lostGroups", "lostGroups == 0 && 1", "", "p99Micros < 1e400"}) {
            assertThatThrownBy(() -> Assertion.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Assertion.parse("througputPerSec > 1"))
                .hasMessage("unknown metric througputPerSec; did you mean throughputPerSec?");
    }

    @Test
    void theOutcomeMetricsAreExactlyTheOnesTheLedgerCounts() {
        OutcomeLedger everything = new OutcomeLedger();
        Arrays.fill(everything.answeredReceived, 1);
        Arrays.fill(everything.autoReceived, 1);
        Arrays.fill(everything.dropped, 1);
        Arrays.fill(everything.rejected, 1);
        everything.stopMarkersConsumed = 1;
        everything.unexpectedPrgi = 1;
        everything.priDisabledEvents = 1;
        everything.overflowEvents = 1;
        everything.stallsIssued = 1;
        Arrays.fill(everything.resumesReceived, 1);
        everything.stallsWaitedForRoom = 1;
        everything.stagsExhausted = 1;
        everything.unexpectedResumes = 1;

        assertThat(Metrics.OUTCOMES).containsExactlyElementsOf(everything.outcomes().keySet());
        assertThat(Metrics.OUTCOMES).hasSize(ResponseCode.values().length + AutoReason.values().length + DropReason.values().length
                + RejectReason.values().length + 4 + 1 + everything.resumesReceived.length + 3);
    }

    @Test
    void suggestsOnlyWhatIsCloseEnoughToBeATypo() {
        assertThat(Suggestions.closest("devicesPerIommuu", java.util.List.of("iommus", "devicesPerIommu"))).contains("devicesPerIommu");
        assertThat(Suggestions.closest("pasdis", java.util.List.of("pasids", "seed"))).contains("pasids");
        assertThat(Suggestions.closest("colour", java.util.List.of("iommus", "kind", "queueDepth"))).isEmpty();
    }
}
