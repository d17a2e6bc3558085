package io.gpumigrate.cli;

import io.gpumigrate.agent.migration.ControlClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code gpumigrate migrate SESSION --to NODE [--timeout D] [--no-precopy]}: moves a running session to another node. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Moves a running session to another node while its program runs; prints progress"
                + " (phase, bytes, rate), then the pause the program saw and the bytes moved.")
final class MigrateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SESSION", description = "The session (see gpumigrate ps).")
    String session;

    @Option(names = "--to", paramLabel = "NODE",
            description = "The target node (default: the peer with the most free device memory that is not cordoned).")
    String target = "";

    @Option(names = "--timeout", paramLabel = "D", converter = DurationOption.class,
            description = "Give up (the session stays where it is) when not committed within D (default: 5m).")
    Duration timeout = Duration.ofMinutes(5);

    @Option(names = "--no-precopy",
            description = "Stop and copy: pause the program at once and move all of its memory in the pause"
                    + " (the pause then is the whole copy; for measuring transfer throughput).")
    boolean noPrecopy;

    @Mixin
    AgentOptions agent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws CliException {
        PrintWriter out = spec.commandLine().getOut();
        long id = SessionArgument.parse(spec, session);
        out.printf("migrating session %s%s%n", session, target.isEmpty() ? "" : " to " + target);
        out.flush();
        ControlClient.MigrationResult r = agent.control("migrating session " + session,
                c -> c.migrate(id, target, timeout.toMillis(), !noPrecopy, new ProgressPrinter(out, "  ")));
        printSummary(out, session, r);
        return 0;
    }

    static void printSummary(PrintWriter out, String session, ControlClient.MigrationResult r) {
        double seconds = r.totalMicros() / 1e6;
        out.printf(Locale.ROOT, "session %s migrated to %s: paused %.1f ms, %s moved in %.2f s (%s)%n", session,
                r.targetNode(), r.pauseMicros() / 1000.0, SessionTable.bytes(r.bytesMoved()), seconds,
                ProgressPrinter.rate(seconds > 0 ? r.bytesMoved() / seconds : 0));
        out.flush();
    }
}
