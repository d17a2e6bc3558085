package io.gpumigrate.cli;

import io.gpumigrate.agent.AgentClient;
import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.LogSettings;
import io.gpumigrate.agent.SessionInfo;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.replay.retention.LogRetention;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code gpumigrate ps [--all] [--agent HOST:PORT] [--data-dir DIR]}: the sessions of every node of
 * the agent's cluster (the agent's and its peers') as a table.
 */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "Lists the live sessions of every node (the agent's and its peers'): id, program, node,"
                + " device memory in use, calls executed, state."
                + " With --all, finished sessions too, with their replay log directories.")
final class PsCommand implements Callable<Integer> {

    @Mixin
    AgentOptions agent;

    @Option(names = {"-a", "--all"}, description = "Also list finished sessions, and every session's replay log.")
    boolean all;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The agent's data directory, where the logs are (default: ~/.gpumigrate).")
    Path dataDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws CliException {
        HostPort address = agent.address();
        List<SessionInfo> sessions;
        try {
            String token = agent.token();
            sessions = new java.util.ArrayList<>(new AgentClient(address, token).sessions());
            for (HostPort peer : peers(address, token)) {
                try {
                    sessions.addAll(new AgentClient(peer, token).sessions());
                } catch (IOException | CudaException e) {
                    spec.commandLine().getErr().println("gpumigrate ps: node at " + peer + " did not answer: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new CliException("cannot reach the agent at " + address + ": " + e.getMessage(), e);
        } catch (CudaException e) {
            throw new CliException("the agent at " + address + " refused: " + e.getMessage(), e);
        }
        if (!all) {
            SessionTable.print(sessions.stream()
                    .filter(s -> s.state().equals("starting") || s.state().equals("running")).toList(),
                    spec.commandLine().getOut());
            return 0;
        }
        Path logs = (dataDir != null ? dataDir.toAbsolutePath() : LogSettings.defaultDataDir()).resolve("logs");
        try {
            AllSessionsTable.print(sessions, LogRetention.list(logs), spec.commandLine().getOut());
        } catch (IOException e) {
            throw new CliException("cannot list the logs under " + logs + ": " + e.getMessage(), e);
        }
        return 0;
    }

    /** The other nodes of the agent's cluster (none when the agent predates NODE_LIST or has no peers). */
    private static java.util.List<HostPort> peers(HostPort address, String token) {
        try {
            java.util.List<io.gpumigrate.agent.migration.NodeRow> nodes =
                    new io.gpumigrate.agent.migration.ControlClient(address, token).nodes();
            return nodes.stream().skip(1).map(n -> new HostPort(n.host(), n.port())).toList();
        } catch (IOException | CudaException e) {
            return java.util.List.of();
        }
    }
}
