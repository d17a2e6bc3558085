package io.gpumigrate.agent;

import io.gpumigrate.worker.BackendChoice;
import io.gpumigrate.worker.WorkerMain;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts session worker processes with the agent's own Java and class path, so a worker runs
 * exactly the code its agent runs. The secret goes to the worker's standard input, not its
 * command line (which every local user can read). Thread-safe (immutable).
 */
final class WorkerLauncher {

    /** Extra JVM options for workers, split on spaces (e.g. {@code -Xmx8g}). */
    static final String JAVA_OPTS_ENV = "GPUMIGRATE_WORKER_JAVA_OPTS";

    private final String bind;
    private final BackendChoice backend;
    private final int attachTimeoutSeconds;
    private final LogSettings logs;
    private final List<String> jvmOptions;
    private final java.util.Map<String, String> environment;
    private final WorkerAotCache aotCache;
    private final DeviceMemoryGauge gauge;

    WorkerLauncher(String bind, BackendChoice backend, int attachTimeoutSeconds) {
        this(bind, backend, attachTimeoutSeconds, LogSettings.off());
    }

    WorkerLauncher(String bind, BackendChoice backend, int attachTimeoutSeconds, LogSettings logs) {
        this(bind, backend, attachTimeoutSeconds, logs, List.of(), java.util.Map.of(), null, null);
    }

    /**
     * @param jvmOptions  further JVM options for every worker (before those of {@value #JAVA_OPTS_ENV})
     * @param environment variables set in every worker's environment
     * @param aotCache    the workers' AOT cache, used when present; null: none
     * @param gauge       takes the workers' reports of the device's memory; null: dropped
     */
    WorkerLauncher(String bind, BackendChoice backend, int attachTimeoutSeconds, LogSettings logs,
                   List<String> jvmOptions, java.util.Map<String, String> environment, WorkerAotCache aotCache,
                   DeviceMemoryGauge gauge) {
        this.aotCache = aotCache;
        this.gauge = gauge;
        this.bind = bind;
        this.backend = backend;
        this.attachTimeoutSeconds = attachTimeoutSeconds;
        this.logs = logs;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.environment = java.util.Map.copyOf(environment);
    }

    /** Starts a worker for {@code record}; it listens (see {@link WorkerProcess#listening()}) soon after. */
    WorkerProcess launch(SessionRecord record, String secret) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(record.id()));
        ClientLibraryScrubber.scrub(builder.environment());
        builder.environment().putAll(environment);
        Process process = builder.start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write((secret + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            process.destroyForcibly();
            throw e;
        }
        return new WorkerProcess(process, record, gauge);
    }

    /**
     * Starts a warm worker: it opens its backend and listens, then waits for its session
     * ({@link WorkerProcess#claim}); its standard input stays open until then.
     */
    WorkerProcess launchWarm() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(-1));
        ClientLibraryScrubber.scrub(builder.environment());
        builder.environment().putAll(environment);
        return new WorkerProcess(builder.start(), null, gauge);
    }

    /** The worker's command line for {@code session}, or for a warm worker when {@code session} is -1. */
    List<String> command(long session) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(WorkerAotCache.FIXED_OPTIONS);
        // The agent forwards the worker's log lines into its own log, which adds time and thread.
        command.add("-Dorg.slf4j.simpleLogger.showThreadName=false");
        command.add("-Dorg.slf4j.simpleLogger.showShortLogName=true");
        List<String> requested = new ArrayList<>(jvmOptions);
        String extra = System.getenv(JAVA_OPTS_ENV);
        if (extra != null && !extra.isBlank()) {
            requested.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(aotCache == null ? requested : aotCache.workerOptions(requested));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WorkerMain.class.getName());
        if (session == -1) {
            command.add("--warm");
        } else {
            command.addAll(List.of("--session", Long.toUnsignedString(session), "--secret-stdin"));
        }
        command.addAll(List.of("--port", "0", "--bind", bind, "--backend", backend.label(),
                "--attach-timeout", Integer.toString(attachTimeoutSeconds)));
        if (logs.recording()) {
            command.addAll(List.of("--log-root", logs.logsRoot().toString()));
        }
        return command;
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
