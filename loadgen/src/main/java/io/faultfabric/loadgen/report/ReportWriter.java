package io.faultfabric.loadgen.report;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.LongStream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/** Writes a run's report directory: report.json, latency.hlog and report.html. */
public final class ReportWriter {
    public static final String JSON_FILE = "report.json";
    public static final String HLOG_FILE = "latency.hlog";
    public static final String HTML_FILE = "report.html";
    /** The hlog "Interval_Max" column is in milliseconds by convention; our values are microseconds. */
    private static final double MICROS_PER_MILLI = 1000.0;
    private static final double MILLIS_PER_SECOND = 1000.0;
    private static final long UNSET_START_TIMESTAMP = Long.MAX_VALUE;

    private final ObjectMapper mapper = new ObjectMapper();

    /** Creates {@code dir} if needed and (over)writes the three report files in it. */
    public void write(RunReport report, Path dir) throws IOException {
        Require.nonNull(report, "report");
        Files.createDirectories(Require.nonNull(dir, "dir"));
        mapper.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(JSON_FILE).toFile(), ReportJson.of(report));
        writeHlog(report, dir.resolve(HLOG_FILE));
        Files.writeString(dir.resolve(HTML_FILE), ReportHtml.render(report), UTF_8);
    }

    private static void writeHlog(RunReport report, Path file) throws IOException {
        List<Histogram> intervals = report.intervalHistograms();
        // HdrHistogram marks an unset start timestamp with Long.MAX_VALUE
        OptionalLong start = LongStream.concat(LongStream.of(report.latency().getStartTimeStamp()),
                        intervals.stream().mapToLong(Histogram::getStartTimeStamp))
                .filter(timestamp -> timestamp != UNSET_START_TIMESTAMP).min();
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, UTF_8)) {
            HistogramLogWriter log = new HistogramLogWriter(out);
            // a line break in the scenario name would end the comment and corrupt the log
            log.outputComment("FaultFabric run report, scenario " + report.scenario().replaceAll("\\R", " ")
                    + ", seed " + report.seed() + ", latency values in microseconds");
            log.outputLogFormatVersion();
            if (start.isPresent()) {
                log.outputStartTime(start.getAsLong());
                log.setBaseTime(start.getAsLong());
                log.outputBaseTime(start.getAsLong());
            }
            log.outputLegend();
            for (Histogram interval : intervals) {
                log.outputIntervalHistogram(
                        (interval.getStartTimeStamp() - log.getBaseTime()) / MILLIS_PER_SECOND,
                        (interval.getEndTimeStamp() - interval.getStartTimeStamp()) / MILLIS_PER_SECOND,
                        interval, MICROS_PER_MILLI);
            }
            if (out.checkError()) throw new IOException("could not write " + file);
        }
    }
}
