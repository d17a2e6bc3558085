package io.gpumigrate.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test workload of the distribution run through {@code gpumigrate run ... -- WORKLOAD
 * --wait-signal}: it stops after its setup (device memory allocated and filled, modules loaded)
 * and prints {@code READY <pid>}; SIGUSR1 lets it finish. What the ZDTM-style ITs share. Close
 * it to kill a program that is still running.
 */
final class StoppedWorkload implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(120);
    private static final Pattern READY = Pattern.compile("(?m)^READY (\\d+)$");

    final String workload;
    final Process run;
    final Path out;
    final long pid;

    private StoppedWorkload(String workload, Process run, Path out, long pid) {
        this.workload = workload;
        this.run = run;
        this.out = out;
        this.pid = pid;
    }

    /**
     * Starts {@code workload} through the agent at {@code agent} ({@code runOptions} go to {@code
     * gpumigrate run}, e.g. {@code --attach SESSION}) and waits until it is stopped at its ready point.
     */
    static StoppedWorkload start(String agent, String workload, String... runOptions) throws Exception {
        Path program = WorkloadsIT.WORKLOADS.resolve(workload);
        assertTrue(Files.isExecutable(program), "workload not built: " + program);
        Path out = Files.createTempFile("stopped-" + workload, ".log");
        List<String> cmd = new ArrayList<>(List.of(DistAgents.gpumigrate(), "run", "--agent", agent));
        cmd.addAll(List.of(runOptions));
        cmd.addAll(List.of("--", program.toString(), "--wait-signal"));
        Process run = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            long pid = await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> readyPid(run, out),
                    p -> p > 0);
            return new StoppedWorkload(workload, run, out, pid);
        } catch (RuntimeException | Error e) {
            run.destroyForcibly();
            throw e;
        }
    }

    /** The program's output so far. */
    String output() throws IOException {
        return Files.readString(out);
    }

    void assertAlive(String when, String logs) throws IOException {
        assertTrue(run.isAlive(), workload + " ended " + when + ":\n" + output() + logs);
    }

    /** Wakes the workload with SIGUSR1; it must exit 0 with PASS as its last line. */
    void finishAndExpectPass(String after, String logs) throws Exception {
        Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(pid)).redirectErrorStream(true).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -USR1 " + pid + " failed");
        boolean done = run.waitFor(300, TimeUnit.SECONDS);
        String output = output();
        assertTrue(done, workload + " did not finish after SIGUSR1:\n" + output);
        assertEquals(0, run.exitValue(), workload + " failed after " + after + ":\n" + output + logs);
        String[] lines = output.strip().split("\n");
        assertEquals("PASS", lines[lines.length - 1].strip(), output);
    }

    /** Kills the program if it still runs, and waits (up to 10 s) until it is gone. */
    @Override
    public void close() throws InterruptedException {
        if (run.isAlive()) {
            run.destroyForcibly();
            run.waitFor(10, TimeUnit.SECONDS);
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
}
