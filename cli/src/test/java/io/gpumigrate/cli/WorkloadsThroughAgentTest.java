package io.gpumigrate.cli;

import io.gpumigrate.agent.AgentConfig;
import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.agent.SessionRecord;
import io.gpumigrate.worker.BackendChoice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every test workload, run unmodified through the client library ({@code native/target/lib})
 * against an agent (backend auto: the emulator where there is no GPU), must print PASS. Runs in
 * the full build, where native/ and test-workloads/ are built before this module; skipped with
 * the reason when their outputs are absent.
 */
class WorkloadsThroughAgentTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath().getParent();
    private static final Path NATIVE = ROOT.resolve("native/target/lib");
    private static final Path WORKLOADS = ROOT.resolve("test-workloads/target/bin");
    private static final long TIMEOUT_SECONDS = 240;

    private static NodeAgent agent;

    @BeforeAll
    static void startAgent() throws Exception {
        if (Files.isRegularFile(NATIVE.resolve(Distribution.CLIENT_LIBRARY))) {
            agent = NodeAgent.start(new AgentConfig("ci", 0, "127.0.0.1", BackendChoice.AUTO, null, 60));
        }
    }

    @AfterAll
    static void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    private static java.util.Set<Long> sessionIds() {
        return agent.sessions().all().stream().map(SessionRecord::id).collect(java.util.stream.Collectors.toSet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector_add", "saxpy_loop", "reduce", "matmul", "stencil", "pointer_chase",
            "streams_events", "module_globals", "jcuda_vector_add", "jcuda_reduce"})
    void workloadPassesThroughGpumigrateRun(String workload, @TempDir Path dir) throws Exception {
        assumeTrue(agent != null, "the client library is not built: " + NATIVE.resolve(Distribution.CLIENT_LIBRARY));
        Path program = WORKLOADS.resolve(workload);
        assumeTrue(Files.isExecutable(program), "the workload is not built: " + program);

        java.util.Set<Long> before = sessionIds();
        Path output = dir.resolve(workload + ".log");
        ProcessBuilder builder = ProgramRunner.builder(List.of(program.toString()), NATIVE,
                new HostPort("127.0.0.1", agent.port()), null);
        builder.redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        boolean done = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly();
        }
        String log = Files.readString(output);
        assertTrue(done, workload + " did not finish in " + TIMEOUT_SECONDS + " s:\n" + log);
        assertEquals(0, process.exitValue(), workload + " failed:\n" + log);
        List<String> lines = log.lines().toList();
        assertEquals("PASS", lines.getLast().strip(), log);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<SessionRecord> opened = agent.sessions().all().stream()
                    .filter(s -> !before.contains(s.id())).toList();
            assertEquals(1, opened.size(), workload + " opened one session: " + opened);
            SessionRecord session = opened.getFirst();
            assertEquals(SessionRecord.State.FINISHED, session.state(), session.endReason());
            assertTrue(session.callsExecuted() > 0, "calls executed: " + session.callsExecuted());
        });
    }
}
