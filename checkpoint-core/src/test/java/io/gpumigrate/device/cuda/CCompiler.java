package io.gpumigrate.device.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Compiles small C sources with the system's gcc for tests; skips the test where there is none. */
final class CCompiler {

    private CCompiler() {
    }

    /** Compiles {@code source} into {@code dir/name} with {@code flags}; skips the calling test without gcc. */
    static Path compile(Path dir, String name, String source, String... flags) throws IOException, InterruptedException {
        Path c = dir.resolve(name + ".c");
        Files.writeString(c, source);
        Path output = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of("gcc", "-O1", "-o", output.toString(), c.toString()));
        command.addAll(List.of(flags));
        String log = run(command);
        assumeTrue(log != null, "no gcc on this machine");
        if (!Files.exists(output)) {
            throw new IllegalStateException("gcc failed for " + name + ":\n" + log);
        }
        return output;
    }

    /** Runs a command, returning its output, or null when it cannot be started. */
    static String run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        return out;
    }
}
