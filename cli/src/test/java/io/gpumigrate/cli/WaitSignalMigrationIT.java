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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ZDTM-style tests of every C workload of the distribution: each runs through {@code
 * gpumigrate run} with {@code --wait-signal}, so it stops after its setup (device memory
 * allocated and filled, modules loaded) and prints {@code READY <pid>}; its session is then
 * migrated A to B and back to A with {@code gpumigrate migrate}, or dumped on A and restored on
 * B, or drained off A; then SIGUSR1 lets it finish: it must exit 0 with PASS as its last line.
 * Two emulator agents serve every case. Runs after {@code package} (failsafe).
 */
class WaitSignalMigrationIT {

    private static final Duration WAIT = StoppedWorkload.WAIT;
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

    /** A workload stopped at its ready point, and its session. */
    private record Stopped(StoppedWorkload program, String session) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            program.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector_add", "saxpy_loop", "reduce", "matmul", "stencil", "pointer_chase",
            "streams_events", "module_globals"})
    void workloadStoppedAtItsReadyPointMovesThereAndBackAndPasses(String workload) throws Exception {
        try (Stopped w = startStopped(workload)) {
            for (String target : List.of("b", "a")) {
                CliResult r = DistAgents.cli("migrate", w.session(), "--to", target, "--agent", addressA);
                assertEquals(0, r.status(), "migration of " + workload + " to " + target + " failed:\n" + r.output()
                        + agentLogs());
                assertTrue(r.output().contains("migrated to " + target + ": paused"), r.output());
                assertAlive(w, "while stopped at its ready point");
            }
            finishAndExpectPass(w, "A->B->A");
        }
    }

    /**
     * criu-style: {@code dump} without {@code --leave-running} ends the session on a while the
     * program lives on, stopped; {@code restore --on b} brings the session back (under the
     * program's name in {@code ps}), and the same program, woken, finishes there.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vector_add", "saxpy_loop", "reduce", "matmul", "stencil", "pointer_chase",
            "streams_events", "module_globals"})
    void workloadDumpedOnAAndRestoredOnBFinishesThere(String workload) throws Exception {
        try (Stopped w = startStopped(workload)) {
            Path image = Files.createTempDirectory("zdtm-" + workload).resolve("image");
            CliResult dump = DistAgents.cli("dump", "-t", w.session(), "-D", image.toString(), "--agent", addressA);
            assertEquals(0, dump.status(), "dump of " + workload + " failed:\n" + dump.output() + agentLogs());
            assertAlive(w, "after its session was dumped");
            CliResult restore = DistAgents.cli("restore", "-D", image.toString(), "--on", "b", "--agent", addressA);
            assertEquals(0, restore.status(), "restore of " + workload + " failed:\n" + restore.output()
                    + agentLogs());
            assertEquals(w.session() + " b", await().atMost(WAIT).until(() -> runningOn(workload),
                    s -> s != null), "ps shows the restored session under the program's name, on b");
            finishAndExpectPass(w, "a dump on a and a restore on b");
        }
    }

    /** {@code node drain a} moves the running workload to b; nothing of it is left on a, and it passes. */
    @ParameterizedTest
    @ValueSource(strings = {"vector_add", "saxpy_loop", "reduce", "matmul", "stencil", "pointer_chase",
            "streams_events", "module_globals"})
    void workloadDrainedOffAFinishesOnB(String workload) throws Exception {
        try (Stopped w = startStopped(workload)) {
            CliResult drain = DistAgents.cli("node", "drain", "a", "--agent", addressA);
            assertEquals(0, drain.status(), "drain of a failed:\n" + drain.output() + agentLogs());
            assertTrue(drain.output().contains(w.session()), "the drain names the session:\n" + drain.output());
            String ps = DistAgents.cli("ps", "--agent", addressA).output();
            assertEquals(List.of(w.session() + " b"), DistAgents.runningSessions(ps, workload),
                    "the workload runs on b:\n" + ps);
            assertTrue(DistAgents.runningSessions(ps, null).stream().noneMatch(s -> s.endsWith(" a")),
                    "a session is left on a:\n" + ps);
            assertAlive(w, "after the drain");
            finishAndExpectPass(w, "a drain of a");
        } finally {
            CliResult uncordon = DistAgents.cli("node", "uncordon", "a", "--agent", addressA);
            assertEquals(0, uncordon.status(), uncordon.output());
        }
    }

    private static Stopped startStopped(String workload) throws Exception {
        StoppedWorkload program = StoppedWorkload.start(addressA, workload);
        try {
            return new Stopped(program, await().atMost(WAIT).until(() -> DistAgents.runningSession(workload, addressA),
                    s -> s != null));
        } catch (RuntimeException | Error e) {
            program.close();
            throw e;
        }
    }

    private static void assertAlive(Stopped w, String when) throws IOException {
        w.program().assertAlive(when, agentLogs());
    }

    private static void finishAndExpectPass(Stopped w, String after) throws Exception {
        w.program().finishAndExpectPass(after, agentLogs());
    }

    /** "SESSION NODE" of the running session of {@code program} in {@code ps} through a, or null. */
    private static String runningOn(String program) throws Exception {
        List<String> sessions = DistAgents.runningSessions(DistAgents.cli("ps", "--agent", addressA).output(), program);
        return sessions.isEmpty() ? null : sessions.getFirst();
    }

    private static String agentLogs() throws IOException {
        return agents.logs();
    }
}
