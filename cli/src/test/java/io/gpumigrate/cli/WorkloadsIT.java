package io.gpumigrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs every test workload, unmodified, through {@code gpumigrate run} against a local agent
 * started from the built distribution, as a user would, and checks that each prints PASS
 * and exits 0. Runs after {@code package} (failsafe), on the emulator where no GPU is found.
 */
class WorkloadsIT {

    static final Path DIST = Path.of("target/gpumigrate").toAbsolutePath();
    static final Path WORKLOADS = DIST.resolve("workloads");
    static Process agent;
    static int port;
    static Path agentLog;

    @BeforeAll
    static void startAgent() throws Exception {
        port = DistAgents.freePort();
        agentLog = Files.createTempFile("gpumigrate-agent", ".log");
        agent = DistAgents.startAgent("it-node", port, agentLog, null, "--data-dir",
                Files.createTempDirectory("gpumigrate-data").toString());
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (agent != null) {
            DistAgents.stop(agent);
        }
    }

    static Path gpumigrate() {
        return DIST.resolve("bin/gpumigrate");
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector_add", "saxpy_loop", "reduce", "matmul", "stencil", "pointer_chase",
            "streams_events", "module_globals", "jcuda_vector_add", "jcuda_reduce"})
    void workloadPassesThroughTheClientLibrary(String workload) throws Exception {
        Path program = WORKLOADS.resolve(workload);
        assertTrue(Files.isExecutable(program), "workload not built: " + program);
        List<String> cmd = new ArrayList<>(List.of(gpumigrate().toString(), "run", "--agent", "127.0.0.1:" + port,
                "--", program.toString()));
        Path out = Files.createTempFile("workload-" + workload, ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean done = p.waitFor(300, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(out);
        assertTrue(done, workload + " did not finish in 300 s; output:\n" + output);
        assertEquals(0, p.exitValue(), workload + " failed; output:\n" + output + "\nagent log:\n" + tail(agentLog));
        String[] lines = output.strip().split("\n");
        assertEquals("PASS", lines[lines.length - 1].strip(), workload + " did not end with PASS; output:\n" + output);
    }

    private static String tail(Path log) throws IOException {
        String s = Files.readString(log);
        return s.length() > 8000 ? s.substring(s.length() - 8000) : s;
    }
}
