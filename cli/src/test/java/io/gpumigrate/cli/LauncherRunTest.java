package io.gpumigrate.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher script's direct {@code run}: the common forms become the program without a JVM
 * (here no Java 25 can be found, so only the direct path can succeed); others go to the CLI.
 */
class LauncherRunTest {

    @TempDir
    Path home;

    private Path launcher;

    @BeforeEach
    void distribution() throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib/native"));
        Files.writeString(home.resolve("lib/native/libcuda.so.1"), "");
        launcher = home.resolve("bin/gpumigrate");
        Files.copy(Path.of("src/dist/bin/gpumigrate"), launcher, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(launcher.toFile().setExecutable(true));
    }

    private record Outcome(int status, String output) {
    }

    private Outcome launch(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", home.resolve("no-java").toString());
        builder.environment().put("PATH", "/usr/bin:/bin"); // any java there is not Java 25: the CLI cannot start
        builder.environment().remove("GPUMIGRATE_AGENT");
        builder.environment().remove("GPUMIGRATE_RUN_VIA_JAVA");
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Outcome(p.exitValue(), output);
    }

    @Test
    void runBecomesTheProgramWithTheClientLibrarysEnvironment() throws Exception {
        Path token = home.resolve("token");
        Files.writeString(token, "tok\n");
        Outcome out = launch("run", "--agent", "127.0.0.1:9", "--token-file", token.toString(), "--",
                "sh", "-c", "echo \"$LD_LIBRARY_PATH|$GPUMIGRATE_AGENT|$GPUMIGRATE_TOKEN_FILE|$1\"; exit 3", "sh", "--steps");
        assertEquals(3, out.status(), out.output());
        String[] seen = out.output().strip().split("\\|");
        assertTrue(seen[0].startsWith(home.toRealPath().resolve("lib/native").toString()), seen[0]);
        assertEquals("127.0.0.1:9", seen[1]);
        assertEquals(token.toRealPath().toString(), seen[2]);
        assertEquals("--steps", seen[3]);
    }

    @Test
    void attachNamesTheSessionToTheClientLibrary() throws Exception {
        Outcome out = launch("run", "--attach", "42", "--", "sh", "-c", "echo \"$GPUMIGRATE_SESSION\"");
        assertEquals(0, out.status(), out.output());
        assertEquals("42", out.output().strip());
    }

    @Test
    void withoutAnAgentOptionTheDefaultAgentIsUsed() throws Exception {
        Outcome out = launch("run", "sh", "-c", "echo \"$GPUMIGRATE_AGENT\"");
        assertEquals(0, out.status(), out.output());
        assertEquals("127.0.0.1:7717", out.output().strip());
    }

    @Test
    void formsTheScriptDoesNotCheckGoToTheCli() throws Exception {
        for (String[] args : List.of(new String[] {"run", "--agent", "no-port", "true"},
                new String[] {"run", "--help"},
                new String[] {"run", "--attach", "not-a-session", "true"},
                new String[] {"run", "--token-file", home.resolve("missing").toString(), "true"},
                new String[] {"run", "--", home.resolve("no-such-program").toString()})) {
            Outcome out = launch(args);
            assertEquals(1, out.status(), String.join(" ", args) + ": " + out.output());
            assertTrue(out.output().contains("Java"), "went to the CLI (which needs Java): " + out.output());
        }
    }
}
