package io.faultfabric.loadgen.cli;

import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The {@code --set key=value} options shared by the commands that load a scenario. */
public final class ScenarioOverrides {
    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a scenario key; the value is HOCON, e.g. --set scenario.topology.mode=DEVICE or "
                    + "--set 'scenario.assertions=[\"p99Micros < 500\"]'. Repeatable; later ones win.")
    List<String> sets = new ArrayList<>();
}
