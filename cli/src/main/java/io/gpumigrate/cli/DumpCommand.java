package io.gpumigrate.cli;

import io.gpumigrate.agent.migration.ControlClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code gpumigrate dump -t SESSION -D DIR [--leave-running]}: a checkpoint image of a session.
 * As with {@code criu dump}, the session ends once dumped unless {@code --leave-running}.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Writes a session's checkpoint image (state and device memory) to a new directory;"
                + " the session then ends, unless --leave-running.")
final class DumpCommand implements Callable<Integer> {

    @Option(names = {"-t", "--tree"}, required = true, paramLabel = "SESSION", description = "The session to dump.")
    String session;

    @Option(names = {"-D", "--images-dir"}, required = true, paramLabel = "DIR",
            description = "The image directory to create (it must not exist; the agent's node writes it).")
    Path directory;

    @Option(names = {"-R", "--leave-running"}, description = "Resume the session after the dump instead of ending it.")
    boolean leaveRunning;

    @Mixin
    AgentOptions agent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws CliException {
        PrintWriter out = spec.commandLine().getOut();
        long id = SessionArgument.parse(spec, session);
        String dir = directory.toAbsolutePath().toString();
        ControlClient.DumpResult r = agent.control("dumping session " + session,
                c -> c.dump(id, dir, leaveRunning, new ProgressPrinter(out, "  ")));
        out.printf(Locale.ROOT, "session %s dumped to %s: %s stored, paused %.1f ms; %s%n", session, dir,
                SessionTable.bytes(r.bytesWritten()), r.pauseMicros() / 1000.0,
                leaveRunning ? "the session runs on"
                        : "the session has ended here; a program still attached to it waits for `gpumigrate restore -D "
                                + dir + "`");
        out.flush();
        return 0;
    }
}
