package io.gpumigrate.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Helpers of the integration tests that drive the built distribution: start an emulator agent
 * that knows its peers, run one CLI command to its end, stop processes. Stateless; every method
 * may be called from any thread.
 */
final class DistAgents {

    private DistAgents() {
    }

    /** What one CLI command returned: its exit status and its output (stdout and stderr together). */
    record CliResult(int status, String output) {
    }

    /**
     * Starts {@code gpumigrate agent} on the emulator, named {@code name}, on {@code port}, with
     * {@code peers} ({@code NAME=HOST:PORT,...}) and its output in {@code log}; returns once the
     * port accepts connections, or fails with the log if the agent exits first.
     */
    static Process startAgent(String name, int port, String peers, Path log) throws IOException {
        return startAgent(name, port, log, null, "--peers", peers);
    }

    /**
     * As above, with the peers (or more) given by {@code clusterArgs}, e.g. {@code --config FILE};
     * a non-null {@code globalsBase} makes the agent's emulated workers place module globals from
     * there, as a GPU in another process places them elsewhere.
     */
    static Process startAgent(String name, int port, Path log, String globalsBase, String... clusterArgs)
            throws IOException {
        return startAgentWithEnvironment(name, port, log, globalsBase == null ? java.util.Map.of()
                : java.util.Map.of("GPUMIGRATE_WORKER_JAVA_OPTS", "-Dgpumigrate.emulator.globalsBase=" + globalsBase),
                clusterArgs);
    }

    /** As above, with {@code environment} added to the agent's (and so its workers') environment. */
    static Process startAgentWithEnvironment(String name, int port, Path log, java.util.Map<String, String> environment,
                              String... clusterArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(gpumigrate(), "agent", "--name", name, "--port",
                Integer.toString(port), "--backend", "emulator"));
        cmd.addAll(List.of(clusterArgs));
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().putAll(environment);
        Process p = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!p.isAlive()) {
                throw new AssertionError("agent " + name + " exited: " + Files.readString(log));
            }
            if (!Files.readString(log).contains("agent " + name + " listening on 127.0.0.1:" + port + " ")) {
                return false; // another process may hold the port: only the agent's own word counts
            }
            try (Socket c = new Socket()) {
                c.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return p;
    }

    /** Ends {@code p}: politely first, forcibly after 10 s. */
    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    /** Runs {@code gpumigrate ARGS} to its end (at most 180 s, else fails). */
    static CliResult cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(gpumigrate());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("cli", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish: " + Files.readString(out));
        }
        return new CliResult(p.exitValue(), Files.readString(out));
    }

    /** The id of the running session of {@code program} in {@code gpumigrate ps} through {@code agent}, or null. */
    static String runningSession(String program, String agent) throws Exception {
        List<String> sessions = runningSessions(cli("ps", "--agent", agent).output(), program);
        return sessions.isEmpty() ? null : sessions.getFirst().split(" ")[0];
    }

    /**
     * "SESSION NODE" of every running session in {@code ps}, the output of {@code gpumigrate ps},
     * of {@code program} only unless it is null.
     */
    static List<String> runningSessions(String ps, String program) {
        List<String> sessions = new java.util.ArrayList<>();
        for (String line : ps.split("\n")) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length >= 3 && cells[0].matches("\\d+") && line.trim().endsWith("running")
                    && (program == null || cells[1].equals(program))) {
                sessions.add(cells[0] + " " + cells[2]);
            }
        }
        return sessions;
    }

    /** The last {@code chars} characters of {@code log}. */
    static String tail(Path log, int chars) throws IOException {
        String s = Files.readString(log);
        return s.length() > chars ? s.substring(s.length() - chars) : s;
    }

    static String gpumigrate() {
        return WorkloadsIT.gpumigrate().toString();
    }

    static int freePort() throws IOException {
        // below the kernel's ephemeral range: a worker (port 0) of an agent already running cannot
        // take the port between this check and the agent's bind, as it once did to agent b
        int below = ephemeralLow();
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(Math.max(1025, below - 12000), below);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The lowest port the kernel hands out for port 0 (Linux; 32768 where it cannot be read). */
    private static int ephemeralLow() {
        // read as a stream: Files.readString returned only the first byte of this /proc file
        try (var in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            String range = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > 2048 ? low : 32768;
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }

    /** Where agent {@code b} of a {@link Pair} places module globals: 1 GiB above the emulator's default. */
    static final String B_GLOBALS_BASE = "0x210040000000";

    /**
     * Two emulator agents, {@code a} and {@code b}, each knowing the other ({@code a} through a
     * configuration file, {@code b} through {@code --peers}): what the migration tests share.
     * {@code b} places module globals elsewhere than {@code a} ({@link #B_GLOBALS_BASE}), as two
     * GPUs do, so a migrated session's globals move. Close it to stop both.
     */
    static final class Pair implements AutoCloseable {
        final String addressA;
        private final Path logA;
        private final Path logB;
        private final Process agentA;
        private final Process agentB;

        Pair() throws Exception {
            int portA = freePort();
            int portB = freePort();
            addressA = "127.0.0.1:" + portA;
            logA = Files.createTempFile("gpumigrate-agent-a", ".log");
            logB = Files.createTempFile("gpumigrate-agent-b", ".log");
            // a learns its peer from a configuration file, b from --peers: both ways are exercised
            Path config = Files.createTempFile("gpumigrate-agent-a", ".conf");
            Files.write(config, List.of("# agent a of the test cluster", "peer.b = 127.0.0.1:" + portB));
            agentA = startAgent("a", portA, logA, null, "--config", config.toString());
            Process b;
            try {
                b = startAgent("b", portB, logB, B_GLOBALS_BASE, "--peers", "a=" + addressA);
            } catch (IOException | RuntimeException e) {
                stop(agentA);
                throw e;
            }
            agentB = b;
        }

        /** The end of both agents' logs, for a failure message. */
        String logs() throws IOException {
            return "\nagent a:\n" + tail(logA, 6000) + "\nagent b:\n" + tail(logB, 6000);
        }

        @Override
        public void close() throws InterruptedException {
            stop(agentA);
            stop(agentB);
        }
    }
}
