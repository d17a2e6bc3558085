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

/** {@code gpumigrate ps [--agent HOST:PORT]}: the agent's sessions as a table. */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "Lists an agent's sessions: id, program, node, device memory in use, calls executed, state.")
final class PsCommand implements Callable<Integer> {

    @Mixin
    AgentOptions agent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws CliException {
        HostPort address = agent.address();
        try {
            SessionTable.print(new AgentClient(address, agent.token()).sessions(), spec.commandLine().getOut());
            return 0;
        } catch (IOException e) {
            throw new CliException("cannot reach the agent at " + address + ": " + e.getMessage(), e);
        } catch (CudaException e) {
            throw new CliException("the agent at " + address + " refused: " + e.getMessage(), e);
        }
    }
}
