package io.gpumigrate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code gpumigrate}: the command line of gpumigrate. Exit codes: 0 ok, 1 failure, 2 usage
 * error; {@code run} returns the program's own exit code.
 */
@Command(name = "gpumigrate", mixinStandardHelpOptions = true, version = "gpumigrate 0.1.0",
        description = "Pools GPUs across machines and moves running CUDA programs between them.",
        subcommands = {AgentCommand.class, RunCommand.class, PsCommand.class, MigrateCommand.class, DumpCommand.class,
                RestoreCommand.class, NodeCommand.class, DemoCommand.class, ReplayCommand.class, LogCommand.class,
                TrainCommand.class})
public final class Main implements Runnable {

    @Spec
    CommandSpec spec;

    /** A bare {@code gpumigrate} is a usage error: it prints the usage. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for {@link #main} and tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // only run passes what follows its program on; the other commands take options after their arguments
        cli.getSubcommands().get("run").setStopAtPositional(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliException) {
                commandLine.getErr().println("gpumigrate " + commandLine.getCommandName() + ": " + e.getMessage());
                return CommandLine.ExitCode.SOFTWARE;
            }
            throw e;
        });
        return cli;
    }
}
