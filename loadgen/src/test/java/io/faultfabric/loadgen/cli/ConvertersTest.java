package io.faultfabric.loadgen.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConvertersTest {
    private final Converters.PositiveDuration positive = new Converters.PositiveDuration();
    private final Converters.NonNegativeDuration nonNegative = new Converters.NonNegativeDuration();

    @Test
    void durationsWithAUnitAreReadAsTheScenarioFilesReadThem() {
        assertThat(positive.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(positive.convert(" 500ms ")).isEqualTo(Duration.ofMillis(500));
        assertThat(positive.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(nonNegative.convert("0s")).isZero();
        assertThat(nonNegative.convert("0 ms")).isZero();
        assertThat(nonNegative.convert("1500ms")).isEqualTo(Duration.ofMillis(1500));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x", "0bogus", "30", "0", "-1s", "2 fortnights", "s", ""})
    void aValueThatIsNotADurationWithAUnitIsRefusedEvenWhenItStartsWithZero(String value) {
        assertThatThrownBy(() -> nonNegative.convert(value)).isInstanceOf(TypeConversionException.class)
            .hasMessage("'" + value + "' is not a duration; expected 0s or a positive duration with a unit, such as 2s or 500ms");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0x", "30", "-2s"})
    void aPositiveDurationRefusesZeroAndEverythingElseThatIsNotOne(String value) {
        assertThatThrownBy(() -> positive.convert(value)).isInstanceOf(TypeConversionException.class)
            .hasMessage("'" + value + "' is not a duration; expected a positive duration with a unit, such as 30s, 500ms or 2m");
    }
}
