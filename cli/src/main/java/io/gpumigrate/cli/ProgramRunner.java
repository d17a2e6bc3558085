package io.gpumigrate.cli;

import io.gpumigrate.agent.HostPort;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs a program against gpumigrate's client library: its {@code LD_LIBRARY_PATH} starts with
 * the distribution's {@code lib/native}, so the dynamic loader gives it our {@code libcuda.so.1};
 * {@code GPUMIGRATE_AGENT} (and {@code GPUMIGRATE_TOKEN_FILE}) tell the library where to go.
 * The program inherits standard input, output and error. Thread-safe (stateless).
 */
final class ProgramRunner {

    private ProgramRunner() {
    }

    /** The environment changes {@link #run} makes, applied to {@code env}. */
    static void prepare(Map<String, String> env, Path nativeDir, HostPort agent, Path tokenFile) {
        String old = env.get("LD_LIBRARY_PATH");
        env.put("LD_LIBRARY_PATH", nativeDir.toAbsolutePath() + (old == null || old.isEmpty() ? "" : ":" + old));
        env.put("GPUMIGRATE_AGENT", agent.toString());
        if (tokenFile != null) {
            env.remove("GPUMIGRATE_TOKEN");
            env.put("GPUMIGRATE_TOKEN_FILE", tokenFile.toAbsolutePath().toString());
        }
    }

    /** A process builder for {@code command} with the environment {@link #prepare} makes and inherited stdio. */
    static ProcessBuilder builder(List<String> command, Path nativeDir, HostPort agent, Path tokenFile) {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        prepare(builder.environment(), nativeDir, agent, tokenFile);
        return builder;
    }

    /**
     * Runs {@code command} to its end.
     *
     * @return the program's exit status
     * @throws CliException when the program cannot be started
     */
    static int run(List<String> command, Path nativeDir, HostPort agent, Path tokenFile) throws CliException {
        return run(builder(command, nativeDir, agent, tokenFile));
    }

    /** Starts the prepared {@code builder} and waits for the program's exit status. */
    static int run(ProcessBuilder builder) throws CliException {
        String program = builder.command().getFirst();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CliException("cannot run " + program + ": " + e.getMessage(), e);
        }
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while " + program + " ran");
        }
    }
}
