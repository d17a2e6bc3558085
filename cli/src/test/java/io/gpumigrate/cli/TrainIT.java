package io.gpumigrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.agent.WorkerAotCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code gpumigrate train} from the built distribution, on the emulator: it must end with the
 * training workload's PASS and a cache in the directory asked for; the JVM must accept that
 * cache for the distribution's class path (it refuses to start with {@code -XX:AOTMode=on}
 * otherwise); and an agent must start its workers from it, which then serve a program to its
 * PASS. Runs after {@code package} (failsafe).
 */
class TrainIT {

    @Test
    void trainWritesACacheThatTheJvmTakesAndAgentsStartTheirWorkersFrom() throws Exception {
        Path dir = Files.createTempDirectory("gpumigrate-aot");
        Path stale = Files.writeString(dir.resolve("worker-0000000000000000.aot"), "an older build's cache");
        Path out = Files.createTempFile("train", ".log");
        Process train = new ProcessBuilder(DistAgents.gpumigrate(), "train", "--cache-dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean done = train.waitFor(300, TimeUnit.SECONDS);
        if (!done) {
            train.destroyForcibly();
        }
        String output = Files.readString(out);
        assertTrue(done && train.exitValue() == 0, "train failed:\n" + output);
        assertTrue(output.contains("\nPASS\n"), "the training workload passed:\n" + output);
        assertFalse(output.contains("without an AOT cache"), "train suggested itself:\n" + output);
        assertTrue(output.contains("left running") && output.contains("  dumped "),
                "the worker that took the session in dumped it:\n" + output);
        assertTrue(output.indexOf("  dumped ") < output.lastIndexOf("migrating session"),
                "and sent it on after the dump:\n" + output);
        List<Path> caches;
        try (var files = Files.list(dir)) {
            caches = files.toList();
        }
        assertEquals(1, caches.size(), "one cache and nothing else (no partial file, no stale cache): " + caches);
        assertTrue(output.contains("deleted the stale cache " + stale), output);
        Path cache = caches.getFirst();
        assertTrue(cache.getFileName().toString().matches("worker-[0-9a-f]{16}\\.aot"), cache.toString());
        assertTrue(output.contains("wrote " + cache), output);

        List<String> check = new ArrayList<>(List.of(javaExecutable()));
        check.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-XX:AOTMode=on", "-XX:AOTCache=" + cache, "-cp", WorkloadsIT.DIST.resolve("lib") + "/*", "-version"));
        Process jvm = new ProcessBuilder(check).redirectErrorStream(true).start();
        String said = new String(jvm.getInputStream().readAllBytes());
        assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "java -version did not end");
        assertEquals(0, jvm.exitValue(), "the JVM refused the cache:\n" + said);

        int port = DistAgents.freePort();
        Path agentLog = Files.createTempFile("gpumigrate-agent-aot", ".log");
        Process agent = DistAgents.startAgentWithEnvironment("aot-node", port, agentLog,
                Map.of(WorkerAotCache.DIR_ENV, dir.toString()));
        try {
            DistAgents.CliResult run = DistAgents.cli("run", "--agent", "127.0.0.1:" + port, "--",
                    WorkloadsIT.DIST.resolve("workloads").resolve("vector_add").toString());
            String log = Files.readString(agentLog);
            assertEquals(0, run.status(), run.output() + "\nagent:\n" + log);
            assertTrue(run.output().strip().endsWith("PASS"), run.output());
            assertTrue(log.contains("workers start from the AOT cache " + cache), log);
            // the JVM says nothing of its cache unless something is wrong with it
            assertFalse(log.contains("][aot]"), "a worker could not use the cache:\n" + log);
        } finally {
            DistAgents.stop(agent);
        }
    }

    /** The Java the distribution's launcher takes: JAVA_HOME's, else this one. */
    private static String javaExecutable() {
        String home = System.getenv("JAVA_HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("java.home"), "bin", "java").toString();
    }
}
