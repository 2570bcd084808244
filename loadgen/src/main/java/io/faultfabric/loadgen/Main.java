package io.faultfabric.loadgen;

import io.faultfabric.loadgen.cli.BenchCommand;
import io.faultfabric.loadgen.cli.ExitCodes;
import io.faultfabric.loadgen.cli.NodeCommand;
import io.faultfabric.loadgen.cli.RunCommand;
import io.faultfabric.loadgen.cli.ScenariosCommand;
import io.faultfabric.loadgen.cli.StudyCommand;
import io.faultfabric.loadgen.cli.ValidateCommand;
import io.faultfabric.loadgen.cli.VersionProvider;
import io.faultfabric.loadgen.scenario.ScenarioException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** The {@code faultfabric} command: runs, validates and lists load-generation scenarios, and benchmarks the fabric. */
@Command(name = "faultfabric", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Simulates I/O page faults travelling from PCIe devices through IOMMUs to the owners of their address spaces.",
        subcommands = {RunCommand.class, NodeCommand.class, ValidateCommand.class, ScenariosCommand.class, StudyCommand.class, BenchCommand.class},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
                "0:ok",
                "1:an assertion of the scenario failed",
                "2:bad input: a scenario, option, value or file that cannot be used",
                "3:internal error (a bug: please report it)"})
public final class Main implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with FaultFabric's exit codes and error output, for {@link #main} and in-process use. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExitCodeExceptionMapper(Main::exitCode);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> executionError(ex, cmd));
        return cl;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: expected one of run, node, validate, scenarios, study, bench");
    }

    static int exitCode(Throwable ex) {
        return ex instanceof ScenarioException || ex instanceof ParameterException ? ExitCodes.BAD_INPUT : ExitCodes.INTERNAL_ERROR;
    }

    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return cmd.getExitCodeExceptionMapper().getExitCode(ex);
    }

    private static int executionError(Exception ex, CommandLine cmd) {
        PrintWriter err = cmd.getErr();
        String command = cmd.getCommandSpec().qualifiedName();
        if (ex instanceof ScenarioException) {
            var errors = ((ScenarioException) ex).errors();
            if (errors.size() == 1) {
                err.println(command + ": " + errors.get(0));
            } else {
                err.println(command + ": " + errors.size() + " problems:");
                errors.forEach(e -> err.println("  " + e));
            }
        } else {
            err.println(command + ": internal error: " + ex);
            ex.printStackTrace(err);
        }
        err.flush();
        return cmd.getExitCodeExceptionMapper().getExitCode(ex);
    }
}
