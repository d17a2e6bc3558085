package io.gpumigrate.cli;

/** A failure to report to the user as one line, without a stack trace; exit status 1. */
final class CliException extends Exception {

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
