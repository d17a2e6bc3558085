package io.gpumigrate.cli;

import io.gpumigrate.agent.AgentConfig;
import io.gpumigrate.agent.AgentConfigFile;
import io.gpumigrate.agent.AgentMain;
import io.gpumigrate.agent.ClusterOptions;
import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.LogSettings;
import io.gpumigrate.worker.BackendChoice;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gpumigrate agent}: runs this node's agent in the foreground until interrupted. Its
 * settings come from the flags and from {@code --config FILE} ({@link AgentConfigFile}); a flag
 * given on the command line wins over the file, and {@code --peers} adds to the file's peers
 * (replacing one of the same name).
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Runs the node agent in the foreground: accepts clients and starts a session worker per client.")
final class AgentCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE",
            description = "A configuration file: KEY = VALUE lines (name, port, bind, backend, device-memory, token-file,"
                    + " peer.NODE = HOST:PORT); flags given on the command line override it.")
    Path configFile;

    @Option(names = "--name", paramLabel = "NODE", description = "The node's name (default: the host name).")
    String name;

    @Option(names = "--port", paramLabel = "PORT", description = "The TCP port (default: ${DEFAULT-VALUE}).")
    int port = HostPort.DEFAULT_AGENT_PORT;

    @Option(names = "--bind", paramLabel = "ADDR",
            description = "The address to listen on (default: ${DEFAULT-VALUE}); beyond loopback a token file is required.")
    String bind = AgentConfig.DEFAULT_BIND;

    @Option(names = "--backend", paramLabel = "auto|cuda|emulator",
            description = "The device backend: a GPU through CUDA, the PTX emulator, or auto (CUDA where a GPU is found).")
    String backend = "auto";

    @Option(names = "--token-file", paramLabel = "FILE", description = "A file holding the token clients must present.")
    Path tokenFile;

    @Option(names = "--peers", paramLabel = "NAME=HOST:PORT,...",
            description = "The other agents of the cluster, by node name (migration targets, drain, ps of every node).")
    String peers;

    @Option(names = "--device-memory", paramLabel = "BYTES",
            description = "Device memory this node offers to placement, and the emulator's size (default: the GPU's own, "
                    + "as its driver reports it; 16 GiB on the emulator). On a GPU it caps what the driver reports.")
    Long deviceMemory;
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the agent keeps its data; session logs go to DIR/logs/SESSION (default: ~/.gpumigrate).")
    Path dataDir;

    @Option(names = "--no-log", description = "Do not record sessions' replay logs.")
    boolean noLog;

    @Option(names = "--log-max-size", paramLabel = "SIZE",
            description = "Delete the oldest finished logs once all logs take more than this (default: 10G).")
    String logMaxSize = "10G";

    @Option(names = "--log-max-age", paramLabel = "AGE",
            description = "Delete finished logs older than this, e.g. 12h or 7d (default: 7d).")
    String logMaxAge = "7d";

    @Option(names = "--log-retention-interval", paramLabel = "INTERVAL",
            description = "How often retention runs, besides at start (default: 10m).")
    String retentionInterval = "10m";

    @Option(names = "--warm-workers", paramLabel = "N",
            description = "Workers kept started ahead of their sessions, backend open, so a new session starts at once"
                    + " (default: ${DEFAULT-VALUE}; 0 starts each worker on demand).")
    int warmWorkers = AgentConfig.DEFAULT_WARM_WORKERS;

    @Spec
    CommandSpec spec;

    /** What the agent starts with: the configuration file's settings, overridden by the flags given. */
    record Settings(AgentConfig config, ClusterOptions cluster, LogSettings logs) {
    }

    @Override
    public Integer call() throws Exception {
        Settings s = settings();
        try {
            AgentMain.runForeground(s.config(), s.logs(), s.cluster());
        } catch (RuntimeException e) {
            throw new CliException("cannot start the agent on " + s.config().bind() + ":" + s.config().port() + ": "
                    + e.getMessage(), e);
        }
        return 0;
    }

    Settings settings() throws CliException {
        try {
            AgentConfigFile file = configFile == null ? null : AgentConfigFile.read(configFile);
            Map<String, HostPort> peerMap = new LinkedHashMap<>(file == null ? Map.of() : file.peers());
            peerMap.putAll(ClusterOptions.parsePeers(peers)); // a flag's peer replaces the file's of that name
            Long memory = given("--device-memory") || file == null || file.deviceMemory() == null ? deviceMemory
                    : file.deviceMemory();
            ClusterOptions cluster = memory != null ? ClusterOptions.of(peerMap, memory) : ClusterOptions.of(peerMap);
            LogSettings logs = new LogSettings(dataDir != null ? dataDir.toAbsolutePath() : LogSettings.defaultDataDir(),
                    !noLog, Limits.bytes("--log-max-size", logMaxSize), Limits.duration("--log-max-age", logMaxAge),
                    Limits.duration("--log-retention-interval", retentionInterval));
            Path token = pick("--token-file", tokenFile, file == null ? null : file.tokenFile());
            String node = pick("--name", name, file == null ? null : file.name());
            AgentConfig config = new AgentConfig(node != null ? node : hostName(),
                    pick("--port", port, file == null ? null : file.port()),
                    pick("--bind", bind, file == null ? null : file.bind()),
                    BackendChoice.parse(pick("--backend", backend, file == null ? null : file.backend())),
                    token == null ? null : AgentConfig.readToken(token), 60, warmWorkers);
            return new Settings(config, cluster, logs);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + e.getFile());
        } catch (IOException e) {
            throw new CliException("cannot read the configuration or token file: " + e, e);
        }
    }

    /** The flag's value when it was given, else the file's when set there, else the flag's default. */
    private <T> T pick(String flag, T flagValue, T fileValue) {
        return given(flag) || fileValue == null ? flagValue : fileValue;
    }

    private boolean given(String flag) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption(flag);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
