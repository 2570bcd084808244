package io.faultfabric.loadgen.run;

import io.faultfabric.engine.workload.LoadProfile;
import io.faultfabric.engine.DropReason;
import io.faultfabric.engine.IommuOutput;
import io.faultfabric.engine.OutcomeLedger;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.RejectReason;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.check.Violations;
import io.faultfabric.engine.direct.DirectFabric;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.loadgen.report.Progress;
import io.faultfabric.loadgen.report.RunReport.Environment;
import io.faultfabric.loadgen.report.RunReport.TimelinePoint;
import io.faultfabric.loadgen.scenario.Scenario;
import io.faultfabric.loadgen.scenario.ScenarioException;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a scenario on the engine's single-threaded {@link DirectFabric}: the same routing rules and checkers as the actor
 * fabric with no actors, so it is both the baseline the fabric's figures are compared against and {@code --engine direct}.
 *
 * <p>What it takes from the scenario: topology, seed, PASID choice, requests per group, and each owner kind's decisions
 * (invalid and failure ratios). Owners answer at once, so service times, owner queue capacities, vIOMMU queues and the
 * fabric settings (timeouts) play no part here. It injects no faults and refuses a scenario that lists any.
 *
 * <p>Load: groups are issued in slices of at most {@value #SLICE_GROUPS}, each issued and drained to the end. An open
 * model is paced slice by slice to the number of groups its rate intends by then (Poisson at its mean rate); the closed
 * model runs flat out, each device issuing up to its concurrency before the IOMMUs drain.
 *
 * <p>Latency: each group's time from its issue (its last request's send) to its response reaching the device, measured on
 * this thread. It is the real time the group waited in the slice, not corrected for coordinated omission: when a slice
 * starts late against the open model's schedule, that lateness is not counted.
 */
public final class DirectScenarioRunner implements ScenarioRunner {
    public static final String NAME = "direct";
    static final int SLICE_GROUPS = 10_000;
    /** DirectFabric's own default: groups a device issues before the IOMMUs drain, under an open model. */
    private static final int OPEN_ISSUE_BURST = 64;
    /** How long to wait when an open model has nothing due yet: the pacing's resolution. */
    private static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int SIGNIFICANT_DIGITS = 3;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "the engine's single-threaded DirectFabric, no actors: the baseline";
    }

    @Override
    public void check(Scenario scenario) {
        if (!scenario.faults().isEmpty()) {
            throw new ScenarioException("scenario.faults: the direct engine injects no faults; remove them (--set scenario.faults=[]) or use another engine");
        }
    }

    @Override
    public RunOutcome run(Scenario scenario, RunOptions options, ProgressListener progress) {
        check(scenario);
        return new DirectRun(scenario, options, progress).execute();
    }

    /** The groups an open model intends to have issued by {@code seconds} into the run: its rate's integral. */
    static double intendedGroups(LoadProfile load, double seconds) {
        if (load instanceof LoadProfile.Constant) return ((LoadProfile.Constant) load).perSecond() * seconds;
        if (load instanceof LoadProfile.Poisson) return ((LoadProfile.Poisson) load).perSecond() * seconds;
        if (load instanceof LoadProfile.Ramp) {
            LoadProfile.Ramp r = (LoadProfile.Ramp) load;
            double over = r.overNanos() / 1e9;
            double rampSeconds = Math.min(seconds, over);
            double slope = (r.toPerSecond() - r.fromPerSecond()) / over;
            return r.fromPerSecond() * rampSeconds + slope * rampSeconds * rampSeconds / 2 + r.toPerSecond() * Math.max(0, seconds - over);
        }
        if (load instanceof LoadProfile.Burst) {
            LoadProfile.Burst b = (LoadProfile.Burst) load;
            double period = b.periodNanos() / 1e9;
            double length = b.burstNanos() / 1e9;
            double perPeriod = b.burstPerSecond() * length + b.basePerSecond() * (period - length);
            double into = seconds % period;
            double partial = into <= length
                    ? b.burstPerSecond() * into
                    : b.burstPerSecond() * length + b.basePerSecond() * (into - length);
            return Math.floor(seconds / period) * perPeriod + partial;
        }
        throw new IllegalArgumentException("the closed model has no rate: " + load);
    }

    private static Histogram histogram() {
        return new Histogram(SIGNIFICANT_DIGITS);
    }

    /** The state of one run; the runner itself keeps none, so one instance serves any number of runs. */
    private static final class DirectRun {
        private final Logger log = LoggerFactory.getLogger(DirectScenarioRunner.class);
        private final Scenario scenario;
        private final ProgressListener progress;
        private final long intervalNanos;
        private final Topology topology;
        private final DirectFabric fabric;
        private final boolean pacedByRate;
        private final Histogram whole = histogram();
        private final List<Histogram> intervals = new ArrayList<>();
        private final List<TimelinePoint> timeline = new ArrayList<>();
        private Histogram interval = histogram();
        private long startNanos;
        private long startEpochMillis;
        private long intervalStartNanos;
        private long completedAtIntervalStart;
        private DirectFabric.RunResult last;

        DirectRun(Scenario scenario, RunOptions options, ProgressListener progress) {
            this.scenario = scenario;
            this.progress = progress;
            this.intervalNanos = options.progressInterval().toNanos();
            this.topology = scenario.topology().build();
            this.pacedByRate = scenario.load().open();
            int issueBurst = pacedByRate ? OPEN_ISSUE_BURST : ((LoadProfile.Closed) scenario.load()).concurrency();
            this.fabric = DirectFabric.builder(topology)
                    .seed(scenario.seed())
                    .choice(scenario.pasidChoice())
                    .requestsPerGroup(scenario.requestsPerGroup().min(), scenario.requestsPerGroup().max())
                    .policies(scenario.ownerPolicies(topology))
                    .issueBurst(issueBurst)
                    .outputDecorator(this::timingResponses)
                    .build();
        }

        private IommuOutput timingResponses(IommuOutput real) {
            return new IommuOutput() {
                @Override public void dispatch(PageRequestGroup group) { real.dispatch(group); }

                @Override public void respond(PageRequestGroup group) {
                    if (group.isClosed()) interval.recordValue(Math.max(0, (System.nanoTime() - group.issuedNanos()) / 1_000));
                    real.respond(group);
                }

                @Override public void dropped(PageRequest request, DropReason reason) { real.dropped(request, reason); }

                @Override public void rejected(int rid, int pasid, int prgi, int from, RejectReason reason) { real.rejected(rid, pasid, prgi, from, reason); }

                @Override public void drained(int rid, int pasid) { real.drained(rid, pasid); }
            };
        }

        RunOutcome execute() {
            log.info("scenario {} on the direct engine: {}, load {}, stop {}", scenario.name(), topology, scenario.load(), scenario.stop());
            HeapPeak heap = HeapPeak.start();
            startEpochMillis = System.currentTimeMillis();
            startNanos = System.nanoTime();
            intervalStartNanos = startNanos;
            long issued = 0;
            long now = startNanos;
            while (!scenario.stop().reached(now - startNanos, issued)) {
                long budget = SLICE_GROUPS;
                if (scenario.stop().groups().isPresent()) budget = Math.min(budget, scenario.stop().groups().getAsLong() - issued);
                if (pacedByRate) {
                    long due = (long) intendedGroups(scenario.load(), (now - startNanos) / 1e9) - issued;
                    if (due <= 0) {
                        long left = scenario.stop().duration().map(d -> d.toNanos() - (System.nanoTime() - startNanos)).orElse(PACE_NANOS);
                        LockSupport.parkNanos(Math.max(1, Math.min(PACE_NANOS, left)));
                        now = System.nanoTime();
                        closeIntervalIfDue(now);
                        continue;
                    }
                    budget = Math.min(budget, due);
                }
                last = fabric.run(budget);
                issued = last.groupsIssued();
                now = System.nanoTime();
                closeIntervalIfDue(now);
            }
            long end = System.nanoTime();
            if (last == null) last = fabric.run(0);
            if (end > intervalStartNanos) closeInterval(end, false);
            return outcome(end - startNanos, heap.bytes());
        }

        private void closeIntervalIfDue(long now) {
            if (now - intervalStartNanos >= intervalNanos) closeInterval(now, true);
        }

        /** Ends the current latency interval at {@code now}; a short last interval goes to the timeline but not the progress line. */
        private void closeInterval(long now, boolean report) {
            interval.setStartTimeStamp(epochMillis(intervalStartNanos));
            interval.setEndTimeStamp(epochMillis(now));
            long completed = last == null ? 0 : last.ledger().groupsCompleted();
            double seconds = (now - intervalStartNanos) / 1e9;
            double rate = (completed - completedAtIntervalStart) / seconds;
            long p99 = interval.getValueAtPercentile(99);
            whole.add(interval);
            intervals.add(interval);
            timeline.add(new TimelinePoint((now - startNanos) / 1e9, rate, fabric.outstanding(), p99));
            if (report) progress.onProgress(new Progress((now - startNanos) / 1e9, rate, completed, fabric.outstanding(), p99,
                    last == null ? 0 : errors(last.ledger())));
            interval = histogram();
            intervalStartNanos = now;
            completedAtIntervalStart = completed;
        }

        private long epochMillis(long nanos) {
            return startEpochMillis + TimeUnit.NANOSECONDS.toMillis(nanos - startNanos);
        }

        private RunOutcome outcome(long elapsedNanos, long heapPeakBytes) {
            OutcomeLedger ledger = fabric.ledger();
            Violations violations = fabric.check();
            Map<String, Long> counts = RunOutcome.violationCounts(violations);
            Map<String, List<String>> counterexamples = RunOutcome.counterexamples(violations);
            double seconds = elapsedNanos / 1e9;
            long completed = ledger.groupsCompleted();
            log.info("scenario {} done: {} groups issued, {} completed in {} s, {}", scenario.name(), ledger.groupsIssued, completed,
                    seconds, violations.none() ? "no violations" : violations);
            return new RunOutcome(scenario.name(), scenario.seed(), NAME, seconds, topology.pasidCount(), topology.mode(),
                    ledger.groupsIssued, completed, fabric.outstanding(), seconds == 0 ? 0 : completed / seconds, whole,
                    ledger.outcomes(), counts, counterexamples, List.of(), List.of(), heapPeakBytes, Environment.current(),
                    timeline, intervals);
        }

        private static long errors(OutcomeLedger ledger) {
            return ledger.completedWith(ResponseCode.INVALID) + ledger.completedWith(ResponseCode.RESPONSE_FAILURE) + ledger.responsesRejected();
        }
    }
}
