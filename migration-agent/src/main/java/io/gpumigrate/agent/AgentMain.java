package io.gpumigrate.agent;

import io.gpumigrate.worker.BackendChoice;

import java.nio.file.Path;

/**
 * Runs a node agent in the foreground until the process is stopped:
 * {@code --name NODE [--port PORT (7717)] [--bind ADDR (127.0.0.1)] [--backend auto|cuda|emulator] [--token-file F] [--warm-workers N (1)]}.
 * ({@code gpumigrate agent} does the same with picocli.) Exit status 2 for a bad command line, 1 when it cannot start.
 */
public final class AgentMain {

    private AgentMain() {
    }

    public static void main(String[] args) throws Exception {
        AgentConfig config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("AgentMain: " + e.getMessage());
            System.err.println("usage: AgentMain --name NODE [--port PORT] [--bind ADDR] [--backend auto|cuda|emulator] [--token-file F] [--warm-workers N]");
            System.exit(2);
            return;
        }
        runForeground(config);
    }

    /** Starts the agent, stops it (and its workers) when the JVM shuts down, and blocks until then. */
    public static void runForeground(AgentConfig config) throws InterruptedException {
        runForeground(config, LogSettings.off(), ClusterOptions.ALONE);
    }

    /** As {@link #runForeground(AgentConfig)}, recording sessions as {@code logs} says. */
    public static void runForeground(AgentConfig config, LogSettings logs) throws InterruptedException {
        runForeground(config, logs, ClusterOptions.ALONE);
    }

    /** As {@link #runForeground(AgentConfig, LogSettings)}, in the cluster {@code cluster} describes. */
    public static void runForeground(AgentConfig config, LogSettings logs, ClusterOptions cluster)
            throws InterruptedException {
        NodeAgent agent = NodeAgent.start(config, logs, cluster);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            main.interrupt();
        }, "agent-shutdown"));
        try {
            new java.util.concurrent.CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static AgentConfig parse(String[] args) throws java.io.IOException {
        String name = null;
        int port = HostPort.DEFAULT_AGENT_PORT;
        String bind = AgentConfig.DEFAULT_BIND;
        BackendChoice backend = BackendChoice.AUTO;
        byte[] token = null;
        int warmWorkers = AgentConfig.DEFAULT_WARM_WORKERS;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--name" -> name = value;
                case "--port" -> port = Integer.parseInt(value);
                case "--bind" -> bind = value;
                case "--backend" -> backend = BackendChoice.parse(value);
                case "--token-file" -> token = AgentConfig.readToken(Path.of(value));
                case "--warm-workers" -> warmWorkers = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        return new AgentConfig(name, port, bind, backend, token, 60, warmWorkers);
    }
}
