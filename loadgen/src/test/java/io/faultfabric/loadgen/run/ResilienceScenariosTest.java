package io.faultfabric.loadgen.run;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.faultfabric.loadgen.fault.FaultInjector;
import io.faultfabric.loadgen.report.RunReport.AssertionResult;
import io.faultfabric.loadgen.report.RunReport.FaultWindow;
import io.faultfabric.loadgen.scenario.Scenario;
import io.faultfabric.loadgen.scenario.ScenarioLoader;
import io.faultfabric.loadgen.scenario.StopCondition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped resilience scenarios on the actor fabric, cut to a few seconds (their faults start within the first two):
 * every assertion they ship holds, faults were injected, logged and reported, nothing was lost and no invariant broke.
 * The chaos-owners run is the short version of the soak in docs/resilience.md.
 */
class ResilienceScenariosTest {
    private static final Duration SHORT = Duration.ofMillis(3500);

    private final ScenarioLoader loader = new ScenarioLoader();
    private final FabricScenarioRunner runner = new FabricScenarioRunner();
    @TempDir
    Path dir;

    private RunOutcome run(String name) {
        Scenario s = loader.loadShipped(name, List.of()).withStop(StopCondition.after(SHORT));
        return runner.run(s, RunOptions.in(dir), ProgressListener.NONE).withAssertionsOf(s);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"chaos-owners", "chaos-guests", "overflow-storm", "teardown-replace"})
    void aShippedResilienceScenarioLosesNothingAndBreaksNoInvariantWhileItsFaultsStrike(String name) {
        RunOutcome o = run(name);

        assertThat(o.failedAssertions()).as("%s: %s", o.outcomes(), o.counterexamples()).isEmpty();
        assertThat(o.assertions()).extracting(AssertionResult::expression).contains("lostGroups == 0", "violations == 0");
        assertThat(o.lostGroups()).isZero();
        assertThat(o.violationsTotal()).as(o.counterexamples().toString()).isZero();
        assertThat(o.completedGroups()).isEqualTo(o.issuedGroups()).isPositive();
        assertThat(o.faultsInjected()).isNotEmpty().allSatisfy(w -> {
            assertThat(w.endSeconds()).isGreaterThanOrEqualTo(w.startSeconds()).isLessThanOrEqualTo(o.durationSeconds() + 1);
            assertThat(w.detail()).startsWith("strike ");
        });
    }

    @Test
    void everyStrikeIsLoggedAtInfoWhenItStartsAndWhenItEndsAndListedInTheReport() {
        Logger log = (Logger) LoggerFactory.getLogger(FaultInjector.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        log.addAppender(seen);
        RunOutcome o;
        try {
            Scenario s = loader.parse("scenario.faults = [{ kind = OwnerHang, at = 200ms, every = 300ms, duration = 200ms, fraction = 0.1 },"
                + " { kind = DeviceReset, at = 300ms }]", "logged", List.of("scenario.load.rate=20000"))
                .withStop(StopCondition.after(Duration.ofSeconds(1)));
            o = runner.run(s, RunOptions.in(dir), ProgressListener.NONE);
        } finally {
            log.detachAppender(seen);
        }

        List<FaultWindow> windows = o.faultsInjected();
        // strikes every 300 ms from 200 ms for as long as the load runs (a second, or a little more on a cold JVM)
        assertThat(windows.subList(0, 3)).extracting(FaultWindow::name).containsExactly("OwnerHang", "DeviceReset", "OwnerHang");
        long hangs = windows.stream().filter(w -> w.name().equals("OwnerHang")).count();
        assertThat(hangs).isGreaterThanOrEqualTo(3);
        List<String> lines = seen.list.stream().filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).filteredOn(l -> l.matches("fault OwnerHang strike \\d+ starts at .*: 26 of 256 owners: owner .*")).hasSize((int) hangs);
        assertThat(lines).filteredOn(l -> l.matches("fault OwnerHang strike \\d+ ends at .*")).hasSize((int) hangs);
        assertThat(lines).filteredOn(l -> l.matches("fault DeviceReset strike 1 starts at \\d+\\.\\d{3} s: 1 of 4 devices: device \\d \\(01:00\\.\\d\\)")).hasSize(1);
        assertThat(lines).filteredOn(l -> l.startsWith("fault DeviceReset strike 1 ends at ")).hasSize(1);
        assertThat(o.violationsTotal()).isZero();
        assertThat(o.lostGroups()).isZero();
    }
}
