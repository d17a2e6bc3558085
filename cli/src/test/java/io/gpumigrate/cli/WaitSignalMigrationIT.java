package io.gpumigrate.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.cli.DistAgents.CliResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ZDTM-style migration of every C workload of the distribution: each runs through {@code
 * gpumigrate run} with {@code --wait-signal}, so it stops after its setup (device memory
 * allocated and filled, modules loaded) and prints {@code READY <pid>}; its session is then
 * migrated A to B and back to A with {@code gpumigrate migrate}, and SIGUSR1 lets it finish: it
 * must exit 0 with PASS as its last line. Two emulator agents serve every case. Runs after
 * {@code package} (failsafe).
 */
class WaitSignalMigrationIT {

    private static final Pattern READY = Pattern.compile("(?m)^READY (\\d+)$");
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static DistAgents.Pair agents;
    private static String addressA;

    @BeforeAll
    static void startAgents() throws Exception {
        agents = new DistAgents.Pair();
        addressA = agents.addressA;
    }

    @AfterAll
    static void stopAgents() throws Exception {
        if (agents != null) {
            agents.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector_add", "saxpy_loop", "reduce", "matmul", "stencil", "pointer_chase",
            "streams_events", "module_globals"})
    void workloadStoppedAtItsReadyPointMovesThereAndBackAndPasses(String workload) throws Exception {
        Path program = WorkloadsIT.WORKLOADS.resolve(workload);
        assertTrue(Files.isExecutable(program), "workload not built: " + program);
        Path out = Files.createTempFile("wait-signal-" + workload, ".log");
        Process run = new ProcessBuilder(DistAgents.gpumigrate(), "run", "--agent", addressA, "--",
                program.toString(), "--wait-signal").redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            long pid = await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> readyPid(run, out),
                    p -> p > 0);
            String session = await().atMost(WAIT).until(() -> DistAgents.runningSession(workload, addressA),
                    s -> s != null);
            for (String target : List.of("b", "a")) {
                CliResult r = DistAgents.cli("migrate", session, "--to", target, "--agent", addressA);
                assertEquals(0, r.status(), "migration of " + workload + " to " + target + " failed:\n" + r.output()
                        + agentLogs());
                assertTrue(r.output().contains("migrated to " + target + ": paused"), r.output());
                assertTrue(run.isAlive(), workload + " ended while stopped at its ready point:\n"
                        + Files.readString(out));
            }
            Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(pid)).redirectErrorStream(true).start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -USR1 " + pid + " failed");
            boolean done = run.waitFor(300, TimeUnit.SECONDS);
            String output = Files.readString(out);
            assertTrue(done, workload + " did not finish after SIGUSR1:\n" + output);
            assertEquals(0, run.exitValue(), workload + " failed after A->B->A:\n" + output + agentLogs());
            String[] lines = output.strip().split("\n");
            assertEquals("PASS", lines[lines.length - 1].strip(), output);
        } finally {
            if (run.isAlive()) {
                run.destroyForcibly();
            }
        }
    }

    /** The pid the workload printed with READY, 0 while it has not, or fails if it exited first. */
    private static long readyPid(Process run, Path out) throws IOException {
        String output = Files.readString(out);
        Matcher m = READY.matcher(output);
        if (m.find()) {
            return Long.parseLong(m.group(1));
        }
        if (!run.isAlive()) {
            throw new AssertionError("workload exited before READY:\n" + output);
        }
        return 0;
    }

    private static String agentLogs() throws IOException {
        return agents.logs();
    }
}
