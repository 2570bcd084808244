package io.faultfabric.loadgen.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders report.html of {@link SampleReport} in headless Chromium. Set the system property
 * {@value #EXAMPLE_PROPERTY} to a path to also keep the screenshot there.
 */
class ReportHtmlBrowserTest {
    static final String EXAMPLE_PROPERTY = "faultfabric.report.example";
    private static final int WIDTH = 1280;
    private static final int HEIGHT = 2000;
    /** The chart stylesheet's series stroke colour, #2563eb; only chart lines are painted in it at full opacity. */
    private static final int SERIES_RGB = 0x2563eb;
    private static final int MIN_SERIES_PIXELS = 500;
    private static final Pattern POLYLINE_POINTS = Pattern.compile("<polyline class=\"series\" points=\"([^\"]*)\"");

    @TempDir Path dir;
    private HeadlessChromium chromium;
    private Path page;

    @BeforeEach
    void writeSampleReport() throws IOException {
        Optional<Path> binary = HeadlessChromium.find();
        assumeTrue(binary.isPresent(),
                "no chromium found (looked for /usr/bin/chromium, then chromium and chromium-browser on PATH); install the OS package 'chromium'");
        chromium = new HeadlessChromium(binary.get(), Files.createDirectories(dir.resolve("chromium")));
        new ReportWriter().write(SampleReport.create(), dir.resolve("report"));
        page = dir.resolve("report").resolve(ReportWriter.HTML_FILE);
    }

    @Test
    void bothChartsAreInTheRenderedDomWithPoints() throws Exception {
        String dom = chromium.dumpDom(page);

        for (String id : new String[] {"throughput-chart", "latency-chart"}) {
            Matcher svg = Pattern.compile("(?s)<svg id=\"" + id + "\".*?</svg>").matcher(dom);
            assertThat(svg.find()).as("svg#%s in the DOM", id).isTrue();
            Matcher series = POLYLINE_POINTS.matcher(svg.group());
            assertThat(series.find()).as("series polyline in svg#%s", id).isTrue();
            assertThat(series.group(1).trim().split("\\s+")).as("points of svg#%s", id)
                    .hasSizeGreaterThan(1).allMatch(point -> point.matches("-?[0-9.]+,-?[0-9.]+"));
        }
        assertThat(dom).doesNotContain("class=\"no-data\"");
    }

    @Test
    void screenshotShowsTheChartLines() throws Exception {
        Path png = dir.resolve("report.png");
        chromium.screenshot(page, png, WIDTH, HEIGHT);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("decodable PNG at %s", png).isNotNull();
        assertThat(image.getWidth()).isEqualTo(WIDTH);
        Set<Integer> colours = new HashSet<>();
        int seriesPixels = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb == SERIES_RGB) seriesPixels++;
            }
        }
        assertThat(colours).as("distinct colours: a blank page has one").hasSizeGreaterThan(1);
        assertThat(seriesPixels).as("pixels painted in the chart series colour").isGreaterThan(MIN_SERIES_PIXELS);

        String example = System.getProperty(EXAMPLE_PROPERTY);
        if (example != null) {
            Path target = Path.of(example).toAbsolutePath();
            Files.createDirectories(target.getParent());
            Files.copy(png, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
