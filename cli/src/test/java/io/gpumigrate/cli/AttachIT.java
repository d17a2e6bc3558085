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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code gpumigrate run --attach}, end to end from the built distribution: a session is dumped
 * ({@code gpumigrate dump}, which ends it) while its program waits at its ready point, restored
 * on the other node ({@code gpumigrate restore --on b}), and a new program joins the restored
 * session through node a's agent, which must locate it on b; the program must pass there.
 */
class AttachIT {

    private static final Pattern READY = Pattern.compile("(?m)^READY (\\d+)$");
    private static final Pattern RESTORED = Pattern.compile("session (\\d+) restored on b");
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

    @Test
    void aNewProgramJoinsARestoredSessionOnAnotherNodeAndPasses() throws Exception {
        String program = WorkloadsIT.WORKLOADS.resolve("vector_add").toString();
        Path firstOut = Files.createTempFile("attach-first", ".log");
        Process first = new ProcessBuilder(DistAgents.gpumigrate(), "run", "--agent", addressA, "--", program,
                "--wait-signal").redirectErrorStream(true).redirectOutput(firstOut.toFile()).start();
        String restored;
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> Files.readString(firstOut).contains("READY "));
            String session = await().atMost(WAIT).until(() -> DistAgents.runningSession("vector_add", addressA),
                    s -> s != null);
            Path image = Files.createTempDirectory("attach-image").resolve("image");
            CliResult dump = DistAgents.cli("dump", "-t", session, "-D", image.toString(), "--agent", addressA);
            assertEquals(0, dump.status(), "dump failed:\n" + dump.output() + agentLogs());
            first.destroyForcibly(); // its session ended with the dump; only the image lives on
            first.waitFor(10, TimeUnit.SECONDS);
            CliResult restore = DistAgents.cli("restore", "-D", image.toString(), "--on", "b", "--agent", addressA);
            assertEquals(0, restore.status(), "restore failed:\n" + restore.output() + agentLogs());
            Matcher m = RESTORED.matcher(restore.output());
            assertTrue(m.find(), restore.output());
            restored = m.group(1);
        } finally {
            first.destroyForcibly();
            first.waitFor(10, TimeUnit.SECONDS);
        }
        Path out = Files.createTempFile("attach-second", ".log");
        Process second = new ProcessBuilder(DistAgents.gpumigrate(), "run", "--agent", addressA, "--attach", restored,
                "--", program, "--wait-signal").redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            long pid = await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> readyPid(second, out),
                    p -> p > 0);
            String ps = DistAgents.cli("ps", "--agent", addressA).output();
            assertEquals(List.of(restored + " b"), runningSessions(ps),
                    "the second program runs in the restored session on b, and no other is open:\n" + ps);
            Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(pid)).start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -USR1 " + pid + " failed");
            boolean done = second.waitFor(180, TimeUnit.SECONDS);
            String output = Files.readString(out);
            assertTrue(done, "the attached program did not finish:\n" + output + agentLogs());
            assertEquals(0, second.exitValue(), "the attached program failed:\n" + output + agentLogs());
            String[] lines = output.strip().split("\n");
            assertEquals("PASS", lines[lines.length - 1].strip(), output);
        } finally {
            second.destroyForcibly();
        }
    }

    /** The pid the program printed with READY, 0 while it has not, or fails if it exited first. */
    private static long readyPid(Process run, Path out) throws IOException {
        String output = Files.readString(out);
        Matcher m = READY.matcher(output);
        if (m.find()) {
            return Long.parseLong(m.group(1));
        }
        if (!run.isAlive()) {
            throw new AssertionError("the program exited before READY:\n" + output + agentLogs());
        }
        return 0;
    }

    /** "ID NODE" of every running session in {@code ps}, the output of {@code gpumigrate ps}. */
    private static List<String> runningSessions(String ps) {
        List<String> sessions = new ArrayList<>();
        for (String line : ps.split("\n")) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length >= 3 && cells[0].matches("\\d+") && line.trim().endsWith("running")) {
                sessions.add(cells[0] + " " + cells[2]);
            }
        }
        return sessions;
    }

    private static String agentLogs() throws IOException {
        return agents.logs();
    }
}
