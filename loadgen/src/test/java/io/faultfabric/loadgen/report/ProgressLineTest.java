package io.faultfabric.loadgen.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    private static final Progress SAMPLE = new Progress(12.0, 1_234_567, 14_812_345, 4_096, 37, 0);
    private static final String SAMPLE_LINE = "[  12.0s] rate 1,234,567/s  completed 14,812,345  in flight 4,096  p99 37µs  errors 0";

    private final StringWriter text = new StringWriter();
    private final PrintWriter out = new PrintWriter(text);

    @Test
    void formatsTheProgressLine() {
        assertThat(ProgressLine.format(SAMPLE)).isEqualTo(SAMPLE_LINE);
        assertThat(ProgressLine.format(new Progress(0.04, 999.5, 0, 0, 0, 3)))
                .isEqualTo("[   0.0s] rate 1,000/s  completed 0  in flight 0  p99 0µs  errors 3");
        assertThat(ProgressLine.format(new Progress(12_345.67, 0, 1, 2, 1_500, 0))).startsWith("[12345.7s] rate 0/s");
    }

    @Test
    void rejectsNegativeProgress() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Progress(1, 1, -1, 0, 0, 0)).withMessageContaining("completed");
    }

    @Test
    void interactivePrinterRewritesOneLineInPlaceAndFinishEndsIt() {
        ProgressPrinter printer = new ProgressPrinter(out, true);

        assertThat(printer.print(SAMPLE)).isTrue();
        assertThat(output()).isEqualTo("\r" + SAMPLE_LINE);
        Progress shorter = new Progress(13.0, 1, 2, 3, 4, 0);
        assertThat(printer.print(shorter)).isTrue();
        String shorterLine = ProgressLine.format(shorter);
        assertThat(output()).isEqualTo("\r" + SAMPLE_LINE + "\r" + shorterLine + " ".repeat(SAMPLE_LINE.length() - shorterLine.length()));

        printer.finish();
        printer.finish();
        assertThat(output()).endsWith(" " + System.lineSeparator()).containsOnlyOnce(System.lineSeparator());
    }

    @Test
    void plainPrinterWritesWholeLines() {
        ProgressPrinter printer = new ProgressPrinter(out, false);

        printer.print(SAMPLE);
        printer.print(at(13.5));
        printer.finish();

        assertThat(output()).isEqualTo(SAMPLE_LINE + System.lineSeparator() + ProgressLine.format(at(13.5)) + System.lineSeparator())
                .doesNotContain("\r");
    }

    @Test
    void skipsSnapshotsLessThanASecondAfterTheLastPrintedOne() {
        ProgressPrinter printer = new ProgressPrinter(out, false);

        assertThat(printer.print(at(5.0))).isTrue();
        assertThat(printer.print(at(5.4))).isFalse();
        assertThat(printer.print(at(5.999))).isFalse();
        assertThat(printer.print(at(6.0))).as("a full second after the last printed line").isTrue();
        assertThat(printer.print(at(6.999))).isFalse();

        assertThat(output().lines()).hasSize(2);
    }

    @Test
    void snapshotsASecondApartAreAllPrintedHoweverTheirSecondsRound() {
        ProgressPrinter printer = new ProgressPrinter(out, false);
        long startNanos = 700_000_000L;

        for (long second = 0; second < 1_000; second++) {
            // as a runner computes it: whole nanoseconds apart, then divided, so 8.7 - 7.7 comes out a hair under 1
            double elapsed = (startNanos + second * 1_000_000_000L) / 1e9;
            assertThat(printer.print(at(elapsed))).as("snapshot at %s s", elapsed).isTrue();
        }
    }

    private static Progress at(double elapsedSeconds) {
        return new Progress(elapsedSeconds, 1, 2, 3, 4, 0);
    }

    private String output() {
        return text.toString();
    }
}
