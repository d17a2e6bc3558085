package io.gpumigrate.cli;

import io.gpumigrate.replay.retention.LogRetention;
import io.gpumigrate.replay.retention.StoredLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records real runs of the test workloads through an agent started from the built distribution
 * (recording is on by default, under {@code --data-dir}), then replays each log without the
 * program, on the emulator, as a user would debug one: the replay must reproduce every status
 * the program saw, and vector_add's output buffer, dumped from the replay right after the call
 * that read it back, must hold a + b bit for bit.
 */
class ReplayWorkloadsIT {

    static Process agent;
    static int port;
    static Path data;
    static Path agentLog;

    @BeforeAll
    static void startAgent() throws Exception {
        port = DistAgents.freePort();
        data = Files.createTempDirectory("gpumigrate-data");
        agentLog = Files.createTempFile("gpumigrate-agent", ".log");
        agent = DistAgents.startAgent("replay-node", port, agentLog, null, "--data-dir", data.toString());
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (agent != null) {
            DistAgents.stop(agent);
        }
    }

    /** Runs a workload through the agent, checks it passed, and returns its finished log directory. */
    static Path record(String workload) throws Exception {
        Path logs = data.resolve("logs");
        Set<Path> before = new HashSet<>(LogRetention.list(logs).stream().map(StoredLog::dir).toList());
        Path out = Files.createTempFile("workload-" + workload, ".log");
        Process p = new ProcessBuilder(WorkloadsIT.gpumigrate().toString(), "run", "--agent", "127.0.0.1:" + port, "--",
                WorkloadsIT.WORKLOADS.resolve(workload).toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), workload + " did not finish");
        String output = Files.readString(out);
        assertEquals(0, p.exitValue(), workload + " failed:\n" + output);
        assertTrue(output.strip().endsWith("PASS"), output);
        Path[] found = new Path[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<StoredLog> fresh = LogRetention.list(logs).stream().filter(l -> !before.contains(l.dir())).toList();
            if (fresh.size() == 1 && !fresh.getFirst().active()) {
                found[0] = fresh.getFirst().dir();
                return true;
            }
            return false;
        });
        return found[0];
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector_add", "saxpy_loop", "reduce", "matmul", "stencil", "pointer_chase",
            "streams_events", "module_globals"})
    void replayingAWorkloadsLogReproducesEveryStatusItsProgramSaw(String workload) throws Exception {
        Path log = record(workload);
        CliRun replay = CliRun.of("replay", log.toString());
        assertEquals(0, replay.status(), replay.out() + replay.err());
        assertTrue(replay.out().contains("every recorded status reproduced"), replay.out());
        CliRun check = CliRun.of("replay", log.toString(), "--check");
        assertEquals(0, check.status(), check.out() + check.err());
        assertTrue(check.out().startsWith("no out-of-bounds access in "), check.out());
    }

    @Test
    void vectorAddsOutputDumpedFromTheReplayIsTheSumOfItsInputs() throws Exception {
        Path log = record("vector_add");
        String dtoh = CliRun.of("log", "show", log.toString()).out().lines()
                .filter(l -> l.contains("MEMCPY_DTOH")).findFirst().orElseThrow();
        String seq = dtoh.strip().split(" ")[0];
        float[][] buffers = new float[3][];
        for (int i = 0; i < 3; i++) {
            Path file = Files.createTempFile("vector_add-" + i, ".bin");
            CliRun dump = CliRun.of("replay", log.toString(), "--until", seq, "--dump", "#" + (i + 1), "--out", file.toString());
            assertEquals(0, dump.status(), dump.out() + dump.err());
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            buffers[i] = new float[b.remaining() / 4];
            b.asFloatBuffer().get(buffers[i]);
        }
        assertEquals(1 << 16, buffers[2].length);
        for (int i = 0; i < buffers[2].length; i++) {
            assertEquals(Float.floatToRawIntBits(buffers[0][i] + buffers[1][i]), Float.floatToRawIntBits(buffers[2][i]),
                    "c[" + i + "]");
        }
        CliRun compare = CliRun.of("replay", "--compare", log.toString(), "--backend", "emulator", "--backend", "emulator");
        assertEquals(0, compare.status(), compare.out() + compare.err());
        assertTrue(compare.out().contains("agree: 18 calls, device memory compared after 4 of them"), compare.out());

        // the agent records the session as finished once its worker has exited, which may come
        // a moment after the worker closed the log
        String[] row = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            CliRun ps = CliRun.of("ps", "--all", "--agent", "127.0.0.1:" + port, "--data-dir", data.toString());
            assertEquals(0, ps.status(), ps.err());
            row[0] = ps.out().lines().filter(l -> l.contains(log.toString())).findFirst().orElseThrow(
                    () -> new AssertionError("no row with " + log + " in\n" + ps.out()));
            assertTrue(row[0].contains("vector_add") && row[0].contains("finished"), row[0]);
        });
        CliRun live = CliRun.of("ps", "--agent", "127.0.0.1:" + port);
        assertEquals(1, live.out().lines().count(), "without --all, finished sessions are not listed:\n" + live.out());
    }
}
