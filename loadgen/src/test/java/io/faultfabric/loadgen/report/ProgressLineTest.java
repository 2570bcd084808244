package io.faultfabric.loadgen.report;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    private static final Progress SAMPLE = new Progress(12.0, 1_234_567, 14_812_345, 4_096, 37, 0);
    private static final String SAMPLE_LINE = "[  12.0s] rate 1,234,567/s  completed 14,812,345  in flight 4,096  p99 37µs  errors 0";

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, UTF_8);
    private final AtomicLong nanos = new AtomicLong(TimeUnit.HOURS.toNanos(5));

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
        ProgressPrinter printer = new ProgressPrinter(out, true, nanos::get);

        assertThat(printer.print(SAMPLE)).isTrue();
        assertThat(output()).isEqualTo("\r" + SAMPLE_LINE);
        advanceMillis(1_000);
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
        ProgressPrinter printer = new ProgressPrinter(out, false, nanos::get);

        printer.print(SAMPLE);
        advanceMillis(1_500);
        printer.print(SAMPLE);
        printer.finish();

        assertThat(output()).isEqualTo(SAMPLE_LINE + System.lineSeparator() + SAMPLE_LINE + System.lineSeparator()).doesNotContain("\r");
    }

    @Test
    void ignoresCallsLessThanASecondAfterTheLastPrintedLine() {
        ProgressPrinter printer = new ProgressPrinter(out, false, nanos::get);

        assertThat(printer.print(SAMPLE)).isTrue();
        advanceMillis(400);
        assertThat(printer.print(SAMPLE)).isFalse();
        advanceMillis(599);
        assertThat(printer.print(SAMPLE)).isFalse();
        advanceMillis(1);
        assertThat(printer.print(SAMPLE)).as("a full second after the last printed line").isTrue();
        advanceMillis(999);
        assertThat(printer.print(SAMPLE)).isFalse();

        assertThat(output().lines()).hasSize(2);
    }

    @Test
    void rateLimitSurvivesNanoTimeOverflow() {
        nanos.set(Long.MAX_VALUE - TimeUnit.MILLISECONDS.toNanos(200));
        ProgressPrinter printer = new ProgressPrinter(out, false, nanos::get);

        assertThat(printer.print(SAMPLE)).isTrue();
        advanceMillis(500);
        assertThat(printer.print(SAMPLE)).isFalse();
        advanceMillis(500);
        assertThat(printer.print(SAMPLE)).isTrue();
    }

    private void advanceMillis(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private String output() {
        return bytes.toString(UTF_8);
    }
}
