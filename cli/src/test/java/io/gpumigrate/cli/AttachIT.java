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

    private static final Pattern RESTORED = Pattern.compile("session (\\d+) restored on b");
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

    @Test
    void aNewProgramJoinsARestoredSessionOnAnotherNodeAndPasses() throws Exception {
        String restored;
        try (StoppedWorkload first = StoppedWorkload.start(addressA, "vector_add")) {
            String session = await().atMost(WAIT).until(() -> DistAgents.runningSession("vector_add", addressA),
                    s -> s != null);
            Path image = Files.createTempDirectory("attach-image").resolve("image");
            CliResult dump = DistAgents.cli("dump", "-t", session, "-D", image.toString(), "--agent", addressA);
            assertEquals(0, dump.status(), "dump failed:\n" + dump.output() + agentLogs());
            first.close(); // its session ended with the dump; only the image lives on
            CliResult restore = DistAgents.cli("restore", "-D", image.toString(), "--on", "b", "--agent", addressA);
            assertEquals(0, restore.status(), "restore failed:\n" + restore.output() + agentLogs());
            Matcher m = RESTORED.matcher(restore.output());
            assertTrue(m.find(), restore.output());
            restored = m.group(1);
        }
        try (StoppedWorkload second = StoppedWorkload.start(addressA, "vector_add", "--attach", restored)) {
            String ps = DistAgents.cli("ps", "--agent", addressA).output();
            assertEquals(List.of(restored + " b"), DistAgents.runningSessions(ps, null),
                    "the second program runs in the restored session on b, and no other is open:\n" + ps);
            second.finishAndExpectPass("attaching to the restored session", agentLogs());
        }
    }

    private static String agentLogs() throws IOException {
        return agents.logs();
    }
}
