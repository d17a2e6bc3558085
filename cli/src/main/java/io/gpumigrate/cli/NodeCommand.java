package io.gpumigrate.cli;

import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.migration.ControlClient;
import io.gpumigrate.agent.migration.NodeRow;
import io.gpumigrate.device.CuResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code gpumigrate node ls|drain|cordon|uncordon}: the cluster's nodes, and keeping sessions off one. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Lists the cluster's nodes, or moves sessions off a node and keeps new ones away.",
        subcommands = {NodeCommand.Ls.class, NodeCommand.Drain.class, NodeCommand.Cordon.class, NodeCommand.Uncordon.class})
final class NodeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command: ls, drain, cordon or uncordon");
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists every node of the cluster.")
    static final class Ls implements Callable<Integer> {
        @Mixin
        AgentOptions agent;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws CliException {
            List<NodeRow> nodes = agent.control("listing nodes", ControlClient::nodes);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-16s %-22s %-10s %12s %8s%n", "NODE", "ADDRESS", "STATUS", "FREE", "SESSIONS");
            for (NodeRow n : nodes) {
                out.printf("%-16s %-22s %-10s %12s %8d%n", n.node(), new HostPort(n.host(), n.port()),
                        n.cordoned() ? "cordoned" : "ready", SessionTable.bytes(n.freeDeviceMemory()), n.sessions());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = "Cordons NODE and migrates each of its sessions to the peer with the most free device memory.")
    static final class Drain implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NODE")
        String node;
        @Option(names = "--timeout", paramLabel = "D", converter = DurationOption.class,
                description = "Give up on sessions not moved within D (default: 10m).")
        Duration timeout = Duration.ofMinutes(10);
        @Option(names = "--dry-run", description = "Only say where each session would go.")
        boolean dryRun;
        @Option(names = "--parallel", paramLabel = "N",
                description = "Move up to N sessions at once, 1 to " + ControlClient.DRAIN_MAX_PARALLEL
                        + " (default: ${DEFAULT-VALUE}).")
        int parallel = ControlClient.DRAIN_DEFAULT_PARALLEL;
        @Mixin
        AgentOptions agent;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws CliException {
            if (parallel < 1 || parallel > ControlClient.DRAIN_MAX_PARALLEL) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--parallel " + parallel + " is outside 1 to " + ControlClient.DRAIN_MAX_PARALLEL);
            }
            PrintWriter out = spec.commandLine().getOut();
            List<ControlClient.DrainRow> rows = agent.control("draining " + node,
                    c -> c.drain(node, timeout.toMillis(), dryRun, parallel, new ProgressPrinter(out, "  ")));
            boolean allMoved = true;
            for (ControlClient.DrainRow r : rows) {
                boolean ok = r.status() == CuResult.SUCCESS;
                allMoved &= ok;
                out.printf(Locale.ROOT, "session %s %s %s%s%n", Long.toUnsignedString(r.session()),
                        dryRun ? "would move to" : ok ? "moved to" : "stays on " + node + ", could not move to",
                        r.targetNode().isEmpty() ? "(no node)" : r.targetNode(), ok ? "" : " (" + CuResult.name(r.status()) + ")");
            }
            out.printf("node %s %s: %d session(s)%n", node, dryRun ? "would be drained (dry run)" : "drained and cordoned",
                    rows.size());
            out.flush();
            return allMoved ? 0 : 1;
        }
    }

    @Command(name = "cordon", mixinStandardHelpOptions = true, description = "Keeps new sessions off NODE.")
    static final class Cordon implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NODE")
        String node;
        @Mixin
        AgentOptions agent;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws CliException {
            return set(agent, spec, node, true);
        }
    }

    @Command(name = "uncordon", mixinStandardHelpOptions = true, description = "Lets NODE take new sessions again.")
    static final class Uncordon implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NODE")
        String node;
        @Mixin
        AgentOptions agent;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws CliException {
            return set(agent, spec, node, false);
        }
    }

    static int set(AgentOptions agent, CommandSpec spec, String node, boolean cordon) throws CliException {
        agent.control((cordon ? "cordoning " : "uncordoning ") + node, c -> {
            c.cordon(node, cordon);
            return null;
        });
        spec.commandLine().getOut().println("node " + node + (cordon ? " cordoned" : " uncordoned"));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
