package io.gpumigrate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gpumigrate log}: looks into replay logs; a bare {@code log} prints its usage. */
@Command(name = "log", mixinStandardHelpOptions = true, description = "Looks into sessions' replay logs.",
        subcommands = LogShowCommand.class)
final class LogCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command");
    }
}
