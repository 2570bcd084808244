package io.faultfabric.loadgen.cli;

import io.faultfabric.loadgen.scenario.ScenarioLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** Lists the shipped scenarios. */
@Command(name = "scenarios", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List the shipped scenarios with their descriptions.")
public final class ScenariosCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        List<ScenarioLoader.Shipped> shipped = new ScenarioLoader().shipped();
        int width = shipped.stream().mapToInt(s -> s.name().length()).max().orElse(0);
        PrintWriter out = spec.commandLine().getOut();
        for (ScenarioLoader.Shipped s : shipped) out.printf("%-" + width + "s  %s%n", s.name(), s.description());
        out.flush();
        return ExitCodes.OK;
    }
}
