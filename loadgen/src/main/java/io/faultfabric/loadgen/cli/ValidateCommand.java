package io.faultfabric.loadgen.cli;

import io.faultfabric.loadgen.scenario.Scenario;
import io.faultfabric.loadgen.scenario.ScenarioHocon;
import io.faultfabric.loadgen.scenario.ScenarioLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Checks a scenario and prints it as resolved: defaults, file and overrides merged, every key stated. */
@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Check a scenario and print it resolved (defaults, file and --set merged) as HOCON.")
public final class ValidateCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCENARIO", description = "A scenario file (.conf) or the name of a shipped scenario.")
    private String scenario;

    @Mixin
    private ScenarioOverrides overrides;

    @Override
    public Integer call() {
        Scenario s = new ScenarioLoader().load(scenario, overrides.sets);
        spec.commandLine().getOut().print(ScenarioHocon.render(s));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
