package io.gpumigrate.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.cli.DistAgents.CliResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live migration as a user runs it, from the built distribution: two agents that know each
 * other ({@code --peers}), real workloads through the client library, and {@code gpumigrate
 * migrate} moving each one A to B to A and on while it runs; each must still end with PASS.
 * Then {@code gpumigrate demo}. Runs after {@code package} (failsafe), on the emulator.
 */
class MigrationIT {

    private static final Path DIST = WorkloadsIT.DIST;
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final List<Process> agents = new ArrayList<>();
    private static int portA;
    private static int portB;
    private static Path logA;
    private static Path logB;

    @BeforeAll
    static void startAgents() throws Exception {
        portA = freePort();
        portB = freePort();
        logA = Files.createTempFile("gpumigrate-agent-a", ".log");
        logB = Files.createTempFile("gpumigrate-agent-b", ".log");
        start("a", portA, "b=127.0.0.1:" + portB, logA);
        start("b", portB, "a=127.0.0.1:" + portA, logB);
    }

    private static void start(String name, int port, String peers, Path log) throws Exception {
        agents.add(DistAgents.startAgent(name, port, peers, log));
    }

    @AfterAll
    static void stopAgents() throws Exception {
        for (Process p : agents) {
            DistAgents.stop(p);
        }
    }

    @Test
    void stencilWithTensOfThousandsOfStepsMovesThereAndBackAndPasses() throws Exception {
        runMigrated("stencil", List.of("--steps", "40000", "--progress", "4000"), 3);
    }

    @Test
    void pointerChaseWithDevicePointersInDeviceMemoryMovesAndPasses() throws Exception {
        runMigrated("pointer_chase", List.of("--rounds", "3000"), 3);
    }

    @Test
    void demoMigratesStencilAndBackWhileItRunsAndShowsTheTable() throws Exception {
        Path out = Files.createTempFile("demo", ".log");
        ProcessBuilder builder = new ProcessBuilder(gpumigrate(), "demo").redirectErrorStream(true)
                .redirectOutput(out.toFile());
        // no worker AOT cache there: the demo points at `gpumigrate train`
        builder.environment().put(io.gpumigrate.agent.WorkerAotCache.DIR_ENV,
                Files.createTempDirectory("gpumigrate-no-aot").toString());
        Process demo = builder.start();
        boolean done = demo.waitFor(300, TimeUnit.SECONDS);
        if (!done) {
            demo.destroyForcibly();
        }
        String output = Files.readString(out);
        assertTrue(done && demo.exitValue() == 0, "demo failed:\n" + output);
        assertTrue(output.contains("\nPASS\n"), output);
        assertTrue(output.contains("node-a -> node-b") && output.contains("node-b -> node-a"), output);
        assertTrue(output.contains("precopy") || output.contains("final-copy"), "progress was shown:\n" + output);
        assertTrue(output.contains("without an AOT cache: `gpumigrate train`"), "training was suggested:\n" + output);
    }

    /** Runs {@code workload} on node a and migrates it {@code moves} times, alternating, while it runs. */
    private static void runMigrated(String workload, List<String> args, int moves) throws Exception {
        Path out = Files.createTempFile("migrated-" + workload, ".log");
        List<String> cmd = new ArrayList<>(List.of(gpumigrate(), "run", "--agent", "127.0.0.1:" + portA, "--",
                DIST.resolve("workloads").resolve(workload).toString()));
        cmd.addAll(args);
        Process program = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        String session = await().atMost(WAIT).until(() -> runningSession(workload), s -> s != null);
        for (int i = 0; i < moves; i++) {
            String target = i % 2 == 0 ? "b" : "a";
            CliResult r = cli("migrate", session, "--to", target, "--agent", "127.0.0.1:" + portA);
            assertTrue(r.status() == 0 || program.isAlive(), workload + " ended before migration " + (i + 1)
                    + " was done; give it more work:\n" + Files.readString(out));
            assertEquals(0, r.status(), "migration " + (i + 1) + " of " + workload + " failed:\n" + r.output() + agentLogs());
            assertTrue(r.output().contains("migrated to " + target + ": paused"), r.output());
        }
        boolean done = program.waitFor(300, TimeUnit.SECONDS);
        if (!done) {
            program.destroyForcibly();
        }
        String output = Files.readString(out);
        assertTrue(done, workload + " did not finish:\n" + output);
        assertEquals(0, program.exitValue(), workload + " failed after its migrations:\n" + output + agentLogs());
        String[] lines = output.strip().split("\n");
        assertEquals("PASS", lines[lines.length - 1].strip(), output);
    }

    private static String runningSession(String program) throws Exception {
        return DistAgents.runningSession(program, "127.0.0.1:" + portA);
    }

    private static CliResult cli(String... args) throws Exception {
        return DistAgents.cli(args);
    }

    private static String agentLogs() throws IOException {
        return "\nagent a:\n" + tail(logA) + "\nagent b:\n" + tail(logB);
    }

    private static String tail(Path log) throws IOException {
        return DistAgents.tail(log, 6000);
    }

    private static String gpumigrate() {
        return DistAgents.gpumigrate();
    }

    private static int freePort() throws IOException {
        return DistAgents.freePort();
    }
}
