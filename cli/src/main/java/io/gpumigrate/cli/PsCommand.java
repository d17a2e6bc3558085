package io.gpumigrate.cli;

import io.gpumigrate.agent.AgentClient;
import io.gpumigrate.agent.HostPort;
import io.gpumigrate.device.CudaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.concurrent.Callable;

/** {@code gpumigrate ps [--agent HOST:PORT]}: the sessions of every node of the agent's cluster as a table. */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "Lists the sessions of every node (the agent's and its peers'): id, program, node,"
                + " device memory in use, calls executed, state.")
final class PsCommand implements Callable<Integer> {

    @Mixin
    AgentOptions agent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws CliException {
        HostPort address = agent.address();
        try {
            String token = agent.token();
            java.util.List<io.gpumigrate.agent.SessionInfo> all = new java.util.ArrayList<>(
                    new AgentClient(address, token).sessions());
            for (HostPort peer : peers(address, token)) {
                try {
                    all.addAll(new AgentClient(peer, token).sessions());
                } catch (IOException | CudaException e) {
                    spec.commandLine().getErr().println("gpumigrate ps: node at " + peer + " did not answer: " + e.getMessage());
                }
            }
            SessionTable.print(all, spec.commandLine().getOut());
            return 0;
        } catch (IOException e) {
            throw new CliException("cannot reach the agent at " + address + ": " + e.getMessage(), e);
        } catch (CudaException e) {
            throw new CliException("the agent at " + address + " refused: " + e.getMessage(), e);
        }
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
