package io.gpumigrate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Parses a session id given on the command line (an unsigned decimal, as {@code ps} prints it). */
final class SessionArgument {

    private SessionArgument() {
    }

    static long parse(CommandSpec spec, String value) {
        try {
            return Long.parseUnsignedLong(value.trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "session '" + value
                    + "' is not a session id (a number, as gpumigrate ps shows it)");
        }
    }
}
