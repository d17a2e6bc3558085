package io.gpumigrate.cli;

import io.gpumigrate.agent.migration.ControlClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code gpumigrate restore -D DIR [--on NODE]}: a session from a checkpoint image, waiting for its client. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restores a checkpoint image as a live session (same id, handles and device addresses)"
                + " that its client can attach to again; a truncated or corrupted image is refused, naming the file.")
final class RestoreCommand implements Callable<Integer> {

    @Option(names = {"-D", "--images-dir"}, required = true, paramLabel = "DIR", description = "The image directory.")
    Path directory;

    @Option(names = "--on", paramLabel = "NODE", description = "The node to restore on (default: the agent's own).")
    String node = "";

    @Mixin
    AgentOptions agent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws CliException {
        PrintWriter out = spec.commandLine().getOut();
        String dir = directory.toAbsolutePath().toString();
        String[] r = agent.control("restoring " + dir, c -> c.restore(dir, node, new ProgressPrinter(out, "  ")));
        out.printf("session %s restored on %s from %s%n", r[0], r[1], dir);
        out.flush();
        return 0;
    }
}
