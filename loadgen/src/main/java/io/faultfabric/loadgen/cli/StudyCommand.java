package io.faultfabric.loadgen.cli;

import io.faultfabric.loadgen.scenario.ScenarioException;
import io.faultfabric.loadgen.study.Study;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code faultfabric study}: the owner-based vs device-based routing study; writes CSV, JSON, SVG figures and Markdown. */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = "Runs the routing study (OWNER vs DEVICE fault delivery) and writes its data, figures and a Markdown section.")
public final class StudyCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--quick", description = "the quick sweep (2 seeds, 1.2 s per point; a few minutes on 2 cores)")
    private boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "where to write the outputs (default: ${DEFAULT-VALUE})", defaultValue = "study-out")
    private Path out;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ScenarioException("--out " + out + ": exists and is not a directory");
        }
        Study.Plan plan = quick ? Study.quick() : Study.full();
        Study.run(plan, out, System.out);
        spec.commandLine().getOut().println("study written to " + out.toAbsolutePath());
        return ExitCodes.OK;
    }
}
