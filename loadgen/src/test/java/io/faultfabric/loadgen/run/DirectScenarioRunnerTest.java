package io.faultfabric.loadgen.run;

import io.faultfabric.engine.workload.LoadProfile;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.check.Invariant;
import io.faultfabric.loadgen.report.Progress;
import io.faultfabric.loadgen.scenario.Scenario;
import io.faultfabric.loadgen.scenario.ScenarioException;
import io.faultfabric.loadgen.scenario.ScenarioLoader;
import io.faultfabric.loadgen.scenario.StopCondition;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DirectScenarioRunnerTest {
    private static final long GROUPS = 50_000;
    private final ScenarioLoader loader = new ScenarioLoader();
    private final DirectScenarioRunner runner = new DirectScenarioRunner();
    @TempDir
    Path dir;

    private Scenario scenario(String name, String... sets) {
        List<String> all = new ArrayList<>(Arrays.asList(sets));
        // a closed loop runs flat out, so the test takes as long as the work and no longer
        all.addAll(List.of("scenario.load.model=closed", "scenario.load.concurrency=8"));
        return loader.loadShipped(name, all).withStop(StopCondition.afterGroups(GROUPS));
    }

    @Test
    void everyGroupOfTheDefaultScenarioIsAnsweredOnceAndTimed() {
        RunOutcome o = runner.run(scenario("default"), RunOptions.in(dir), ProgressListener.NONE);

        assertThat(o.scenario()).isEqualTo("default");
        assertThat(o.engine()).isEqualTo("direct");
        assertThat(o.pasids()).isEqualTo(1024);
        assertThat(o.routingMode()).isEqualTo(RoutingMode.OWNER);
        assertThat(o.issuedGroups()).isEqualTo(GROUPS);
        assertThat(o.completedGroups()).isEqualTo(GROUPS);
        assertThat(o.lostGroups()).isZero();
        assertThat(o.outcomes()).containsEntry("answered.SUCCESS", GROUPS);
        assertThat(o.violations()).containsOnlyKeys(Arrays.stream(Invariant.values()).map(Enum::name).toList()).allSatisfy((k, v) -> assertThat(v).isZero());
        assertThat(o.counterexamples()).isEmpty();
        assertThat(o.latencyMicros().getTotalCount()).isEqualTo(GROUPS);
        assertThat(o.throughputPerSec()).isPositive();
        assertThat(o.heapPeakBytes()).isPositive();
        assertThat(o.environment().cpus()).isPositive();
        assertThat(o.assertions()).isEmpty();
    }

    @Test
    void theIntervalsCoverTheRunAndAddUpToTheWhole() {
        RunOutcome o = runner.run(scenario("default"), new RunOptions(Duration.ofMillis(1), dir), ProgressListener.NONE);

        List<Histogram> intervals = o.intervalHistograms();
        assertThat(intervals).hasSameSizeAs(o.timeline()).isNotEmpty();
        assertThat(intervals.stream().mapToLong(Histogram::getTotalCount).sum()).isEqualTo(o.latencyMicros().getTotalCount());
        for (int i = 0; i < intervals.size(); i++) {
            assertThat(intervals.get(i).getEndTimeStamp()).isGreaterThanOrEqualTo(intervals.get(i).getStartTimeStamp());
            if (i > 0) assertThat(intervals.get(i).getStartTimeStamp()).isEqualTo(intervals.get(i - 1).getEndTimeStamp());
        }
        assertThat(o.timeline().get(o.timeline().size() - 1).tSeconds()).isCloseTo(o.durationSeconds(), within(0.01));
    }

    @Test
    void progressComesAsTheRunGoesAndCountsUp() {
        List<Progress> seen = new ArrayList<>();

        RunOutcome o = runner.run(scenario("default"), new RunOptions(Duration.ofNanos(1), dir), seen::add);

        assertThat(seen).isNotEmpty();
        assertThat(seen).extracting(Progress::completed).isSorted().allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(o.completedGroups()));
        assertThat(seen).allSatisfy(p -> assertThat(p.errors()).isZero());
    }

    @Test
    void stallsAndTheirResumesReachTheReportBesideThePriOutcomes() throws Exception {
        RunOutcome o = runner.run(scenario("stall-mix", "scenario.faults=[]"), RunOptions.in(dir), ProgressListener.NONE);

        assertThat(o.violationsTotal()).as(o.counterexamples().toString()).isZero();
        assertThat(o.completedGroups()).isEqualTo(GROUPS);
        long stalls = o.outcomes().get("stall.issued");
        assertThat(stalls).isPositive().isLessThan(GROUPS);
        assertThat(o.outcomes().get("stall.resume.RETRY") + o.outcomes().get("stall.resume.ABORT")).isEqualTo(stalls);
        assertThat(o.outcomes().get("stall.eventQueueFullWaits")).as("an event queue of 4 fills").isPositive();
        new io.faultfabric.loadgen.report.ReportWriter().write(o.toReport(), dir);
        String json = java.nio.file.Files.readString(dir.resolve("report.json"));
        String html = java.nio.file.Files.readString(dir.resolve("report.html"));
        assertThat(json).contains("\"stall.issued\" : " + stalls).contains("\"stall.resume.ABORT\"").contains("\"stall.eventQueueFullWaits\"");
        assertThat(html).contains("stall.issued").contains("stall.resume.RETRY").contains("stall.eventQueueFullWaits");
    }

    @Test
    void deviceRoutingAndInvalidAnswersAreRunAndCounted() {
        RunOutcome o = runner.run(scenario("owner-vs-device", "scenario.topology.mode=DEVICE", "scenario.policies.USER_DRIVER.invalidRatio=0.1"),
                RunOptions.in(dir), ProgressListener.NONE);

        assertThat(o.routingMode()).isEqualTo(RoutingMode.DEVICE);
        assertThat(o.violationsTotal()).as(o.counterexamples().toString()).isZero();
        assertThat(o.outcomes().get("answered.INVALID")).isPositive();
        assertThat(o.outcomes().get("answered.SUCCESS") + o.outcomes().get("answered.INVALID")).isEqualTo(GROUPS);
    }

    @Test
    @Timeout(30)
    void responseFailuresDisablePriUntilTheDriverResetsTheDeviceAndTheRunGoesOn() {
        Scenario s = scenario("default", "scenario.policies.HOST_SVA.failureRatio=0.01", "scenario.policies.USER_DRIVER.failureRatio=0.01");

        RunOutcome o = runner.run(s, RunOptions.in(dir), ProgressListener.NONE);

        // DirectFabric resets a device after Response Failure, as its driver would: every group is still issued and answered
        assertThat(o.issuedGroups()).isEqualTo(GROUPS).isEqualTo(o.completedGroups());
        assertThat(o.outcomes()).containsKey("device.priDisabled").containsKey("auto.HANDLER_FAILED");
        assertThat(o.outcomes().get("device.priDisabled")).isGreaterThan(8L);
        assertThat(o.violationsTotal()).isZero();
    }

    @Test
    void anOpenModelIsPacedToItsRate() {
        Scenario s = loader.loadShipped("default", List.of("scenario.load.rate=100000")).withStop(StopCondition.afterGroups(10_000));

        RunOutcome o = runner.run(s, RunOptions.in(dir), ProgressListener.NONE);

        // 10,000 groups at 100,000/s are due over 0.1 s: the run cannot finish sooner
        assertThat(o.durationSeconds()).isGreaterThanOrEqualTo(0.099);
        assertThat(o.completedGroups()).isEqualTo(10_000);
    }

    @Test
    void aScenarioWithFaultsIsRefusedNotRunWithoutThem() {
        Scenario s = loader.loadShipped("default", List.of("scenario.faults=[{kind = OwnerHang, at = 1s}]"));

        assertThatThrownBy(() -> runner.run(s, RunOptions.in(dir), ProgressListener.NONE)).isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith("scenario.faults: the direct engine injects no faults");
    }

    @Test
    void theIntendedGroupsAreTheIntegralOfTheRate() {
        assertThat(DirectScenarioRunner.intendedGroups(new LoadProfile.Constant(1000), 2.5)).isEqualTo(2500);
        assertThat(DirectScenarioRunner.intendedGroups(new LoadProfile.Poisson(1000), 2)).isEqualTo(2000);
        LoadProfile.Ramp ramp = new LoadProfile.Ramp(100, 300, Duration.ofSeconds(2).toNanos());
        assertThat(DirectScenarioRunner.intendedGroups(ramp, 1)).isCloseTo(150, within(1e-9));
        assertThat(DirectScenarioRunner.intendedGroups(ramp, 2)).isCloseTo(400, within(1e-9));
        assertThat(DirectScenarioRunner.intendedGroups(ramp, 3)).isCloseTo(700, within(1e-9));
        LoadProfile.Burst burst = new LoadProfile.Burst(10, 1000, Duration.ofMillis(100).toNanos(), Duration.ofSeconds(1).toNanos());
        assertThat(DirectScenarioRunner.intendedGroups(burst, 0.05)).isCloseTo(50, within(1e-9));
        assertThat(DirectScenarioRunner.intendedGroups(burst, 1)).isCloseTo(109, within(1e-9));
        assertThat(DirectScenarioRunner.intendedGroups(burst, 1.5)).isCloseTo(109 + 100 + 4, within(1e-9));
    }
}
