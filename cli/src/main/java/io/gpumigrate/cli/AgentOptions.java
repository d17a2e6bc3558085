package io.gpumigrate.cli;

import io.gpumigrate.agent.AgentConfig;
import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.migration.ControlClient;
import io.gpumigrate.device.CudaException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** How a command reaches an agent: {@code --agent HOST:PORT} and {@code --token-file F}. A picocli mixin. */
final class AgentOptions {

    static final String AGENT_ENV = "GPUMIGRATE_AGENT";

    @Option(names = "--agent", paramLabel = "HOST:PORT",
            description = "The agent (default: $GPUMIGRATE_AGENT, else 127.0.0.1:7717).")
    String agent;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file holding the agent's token (default: $GPUMIGRATE_TOKEN, $GPUMIGRATE_TOKEN_FILE).")
    Path tokenFile;

    /** The agent's address: the option, else {@code $GPUMIGRATE_AGENT}, else the local default. */
    HostPort address() throws CliException {
        String value = agent != null ? agent : System.getenv(AGENT_ENV);
        if (value == null || value.isBlank()) {
            return new HostPort("127.0.0.1", HostPort.DEFAULT_AGENT_PORT);
        }
        try {
            return HostPort.parse(value.trim());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage() + (agent == null ? " (from $" + AGENT_ENV + ")" : ""));
        }
    }

    /** The token to present: from the file, else the environment, else empty. */
    String token() throws CliException {
        if (tokenFile != null) {
            try {
                return new String(AgentConfig.readToken(tokenFile), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException("cannot read the token file: " + e.getMessage(), e);
            }
        }
        String token = System.getenv("GPUMIGRATE_TOKEN");
        if (token != null) {
            return token.strip();
        }
        String file = System.getenv("GPUMIGRATE_TOKEN_FILE");
        if (file != null && !file.isBlank()) {
            tokenFile = Path.of(file);
            return token();
        }
        return "";
    }

    /** One request to the agent through its control client. */
    interface ControlAction<T> {
        T run(ControlClient client) throws IOException, CudaException;
    }

    /**
     * Runs {@code action} against the agent, its failures turned into {@link CliException}s
     * that name the agent or {@code what} was being done ({@link ControlCall}).
     */
    <T> T control(String what, ControlAction<T> action) throws CliException {
        HostPort address = address();
        ControlClient client = new ControlClient(address, token());
        return ControlCall.run(address, what, () -> action.run(client));
    }
}
