package io.gpumigrate.agent.migration;

import io.gpumigrate.agent.SessionInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions moved between two agents while a client keeps calling, with every call applied exactly once. */
class LiveMigrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aBusySessionMovesToBAndBackTwiceAndNoCallIsLostOrRepeated() throws Exception {
        try (TwoNodes nodes = new TwoNodes();
             ResendingTestClient client = ResendingTestClient.open(TwoNodes.address(nodes.a), "stress")) {
            StressWorkload workload = new StressWorkload(client).setUp();
            Thread runner = Thread.ofPlatform().name("workload").start(workload);
            ControlClient control = nodes.control(nodes.a); // node-a forwards what node-b holds
            String[] targets = {"node-b", "node-a", "node-b", "node-a"};
            for (String target : targets) {
                int before = workload.iterations.get();
                await().atMost(WAIT).until(() -> workload.iterations.get() >= before + 10 || workload.failure != null);
                assertNull(workload.failure, () -> "the workload failed: " + workload.failure);
                List<String> phases = new java.util.concurrent.CopyOnWriteArrayList<>();
                ControlClient.MigrationResult r = control.migrate(client.session(), target, 60_000,
                        p -> phases.add(p.phase()));
                assertEquals(target, r.targetNode());
                assertTrue(r.bytesMoved() >= 4L * 64 * 1024, "at least the data array moved: " + r);
                assertTrue(r.pauseMicros() <= r.totalMicros(), r.toString());
                // below the pre-copy threshold a session is stopped and copied: the final copy is all of it
                assertTrue(phases.contains("final-copy") && phases.contains("verify"), phases.toString());
            }
            int before = workload.iterations.get();
            await().atMost(WAIT).until(() -> workload.iterations.get() >= before + 10 || workload.failure != null);
            workload.stop.set(true);
            runner.join(WAIT.toMillis());
            assertNull(workload.failure, () -> "the workload failed: " + workload.failure);
            assertEquals(targets.length, client.moves(), "the client followed each move");

            List<SessionInfo> onA = new io.gpumigrate.agent.AgentClient(TwoNodes.address(nodes.a), "").sessions();
            assertEquals("running", onA.stream().filter(s -> s.session() == client.session()
                    && s.state().equals("running")).findFirst().orElseThrow().state());
        }
    }
}
