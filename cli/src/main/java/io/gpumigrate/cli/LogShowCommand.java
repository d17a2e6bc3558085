package io.gpumigrate.cli;

import io.gpumigrate.replay.read.LogReader;
import io.gpumigrate.replay.read.SessionLog;
import io.gpumigrate.replay.show.LogFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code gpumigrate log show LOG_DIR [--from SEQ] [--limit N]}: a session's calls, one per line, as strace prints. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Prints a replay log's calls one per line: sequence number, call, arguments, handles, sizes, status.")
final class LogShowCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "LOG_DIR", description = "A session's log directory (see ps --all).")
    Path dir;

    @Option(names = "--from", paramLabel = "SEQ", description = "Start at this sequence number (default: the first).")
    long from = 1;

    @Option(names = "--limit", paramLabel = "N", description = "Print at most N entries (default: all).")
    long limit = Long.MAX_VALUE;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws CliException {
        if (from < 0 || limit < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from " + from + " and --limit " + limit
                    + " must be at least 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        SessionLog log = LogOpener.open(dir, spec.commandLine().getErr());
        try (LogReader reader = log.reader(from, limit, false)) {
            new LogFormatter().print(reader, out);
        } catch (IOException e) {
            out.flush();
            throw LogOpener.readFailure(dir, e);
        }
        out.flush();
        return 0;
    }
}
