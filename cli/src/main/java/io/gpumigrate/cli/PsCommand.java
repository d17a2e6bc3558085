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

/** {@code gpumigrate ps [--all] [--agent HOST:PORT] [--data-dir DIR]}: the agent's sessions as a table. */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "Lists an agent's live sessions: id, program, node, device memory in use, calls executed, state."
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
            sessions = new AgentClient(address, agent.token()).sessions();
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
}
