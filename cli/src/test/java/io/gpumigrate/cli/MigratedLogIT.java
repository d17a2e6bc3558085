package io.gpumigrate.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.cli.DistAgents.CliResult;
import io.gpumigrate.replay.retention.LogRetention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A session's replay log travels with it: a C workload stopped at its ready point is migrated
 * A to B to A (or dumped on A and restored on B) between two emulator agents with data
 * directories of their own, then finishes; the log on its final node must list every call from
 * seq 1 on without a gap ({@code gpumigrate log show}) and replay with every status reproduced
 * ({@code gpumigrate replay}). Runs after {@code package} (failsafe).
 */
class MigratedLogIT {

    private static final Duration WAIT = StoppedWorkload.WAIT;
    private static Path dataA;
    private static Path dataB;
    private static Path logA;
    private static Path logB;
    private static Process agentA;
    private static Process agentB;
    private static String addressA;

    @BeforeAll
    static void startAgents() throws Exception {
        int portA = DistAgents.freePort();
        int portB = DistAgents.freePort();
        addressA = "127.0.0.1:" + portA;
        dataA = Files.createTempDirectory("gpumigrate-data-a");
        dataB = Files.createTempDirectory("gpumigrate-data-b");
        logA = Files.createTempFile("gpumigrate-agent-a", ".log");
        logB = Files.createTempFile("gpumigrate-agent-b", ".log");
        agentA = start("a", portA, "b=127.0.0.1:" + portB, dataA, logA);
        agentB = start("b", portB, "a=" + addressA, dataB, logB);
    }

    @AfterAll
    static void stopAgents() throws Exception {
        for (Process p : new Process[] {agentA, agentB}) {
            if (p != null) {
                DistAgents.stop(p);
            }
        }
    }

    private static Process start(String name, int port, String peers, Path data, Path log) throws IOException {
        return DistAgents.startAgent(name, port, log, null, "--peers", peers, "--data-dir", data.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector_add", "pointer_chase"})
    void aWorkloadMigratedThereAndBackLeavesItsWholeLogOnItsFinalNode(String workload) throws Exception {
        try (StoppedWorkload w = StoppedWorkload.start(addressA, workload)) {
            String session = await().atMost(WAIT).until(() -> DistAgents.runningSession(workload, addressA),
                    s -> s != null);
            for (String target : List.of("b", "a")) {
                CliResult r = DistAgents.cli("migrate", session, "--to", target, "--agent", addressA);
                assertEquals(0, r.status(), "migration to " + target + " failed:\n" + r.output() + agentLogs());
                if (target.equals("b")) {
                    // B never ran a call of this session: what it lists came from A
                    CliRun there = CliRun.of("log", "show", dataB.resolve("logs").resolve(session).toString());
                    assertEquals(0, there.status(), there.out() + there.err());
                    assertTrue(there.out().startsWith("       1 "), "B's log starts at seq 1:\n" + there.out());
                }
            }
            w.finishAndExpectPass("A->B->A", agentLogs());
            assertWholeLog(finishedLog(dataA, session), workload);
        }
    }

    /**
     * Dumped on A (which ends the session and its program), restored on B, where a new program
     * joins it ({@code run --attach}) and finishes: B's log holds both programs' calls.
     */
    @Test
    void aDumpedSessionRestoredOnTheOtherNodeContinuesItsLogThere() throws Exception {
        String workload = "saxpy_loop";
        String session;
        try (StoppedWorkload first = StoppedWorkload.start(addressA, workload)) {
            session = await().atMost(WAIT).until(() -> DistAgents.runningSession(workload, addressA), s -> s != null);
            Path image = Files.createTempDirectory("image").resolve("saxpy");
            CliResult dump = DistAgents.cli("dump", "-t", session, "-D", image.toString(), "--agent", addressA);
            assertEquals(0, dump.status(), "dump failed:\n" + dump.output() + agentLogs());
            assertTrue(Files.readString(image.resolve("MANIFEST")).contains("\nlog 00000000000000000001.seg "),
                    "the image carries the log");
            first.run.destroyForcibly(); // its session ended with the dump; only the image lives on
            first.run.waitFor(10, TimeUnit.SECONDS);
            CliResult restore = DistAgents.cli("restore", "-D", image.toString(), "--on", "b", "--agent", addressA);
            assertEquals(0, restore.status(), "restore failed:\n" + restore.output() + agentLogs());
        }
        try (StoppedWorkload second = StoppedWorkload.start(addressA, workload, "--attach", session)) {
            second.finishAndExpectPass("a restore on b", agentLogs());
            assertWholeLog(finishedLog(dataB, session), workload);
        }
    }

    /** The session's log directory under {@code data}, once its writer closed it. */
    private static Path finishedLog(Path data, String session) {
        Path dir = data.resolve("logs").resolve(session);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                LogRetention.list(data.resolve("logs")).stream().anyMatch(l -> l.dir().equals(dir) && !l.active()));
        return dir;
    }

    private static void assertWholeLog(Path log, String workload) throws Exception {
        CliRun show = CliRun.of("log", "show", log.toString());
        assertEquals(0, show.status(), show.out() + show.err());
        // seq numbers of calls that are not logged (SHM_ATTACH) may be skipped; no call is lost
        List<String> lines = show.out().lines().toList();
        long previous = 0;
        for (String line : lines) {
            String first = line.strip().split(" ")[0];
            assertTrue(first.matches("\\d+"), "not a call (a gap?) in the log of " + workload + ": " + line);
            long seq = Long.parseLong(first);
            assertTrue(seq > previous, "the log of " + workload + " goes back at:\n" + line);
            previous = seq;
        }
        assertTrue(lines.getFirst().strip().startsWith("1 "), "the log starts at seq 1:\n" + show.out());
        assertTrue(lines.size() > 10, "only " + lines.size() + " calls in the log of " + workload + ":\n" + show.out());
        assertTrue(show.out().lines().anyMatch(l -> l.contains("GOODBYE")), "the log ends with the program's end");
        CliRun replay = CliRun.of("replay", log.toString());
        assertEquals(0, replay.status(), replay.out() + replay.err());
        assertTrue(replay.out().contains("every recorded status reproduced"), replay.out());
    }

    private static String agentLogs() throws IOException {
        return "\nagent a:\n" + DistAgents.tail(logA, 6000) + "\nagent b:\n" + DistAgents.tail(logB, 6000);
    }
}
