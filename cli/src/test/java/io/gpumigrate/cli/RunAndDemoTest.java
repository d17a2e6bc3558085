package io.gpumigrate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run} and {@code demo} against a distribution laid out in a temporary directory. */
class RunAndDemoTest {

    @TempDir
    Path home;

    @BeforeEach
    void layOut() throws Exception {
        Files.createDirectories(home.resolve("lib/native"));
        Files.writeString(home.resolve("lib/native/libcuda.so.1"), "stands in for the client library");
        System.setProperty(Distribution.HOME_PROPERTY, home.toString());
    }

    @AfterEach
    void forget() {
        System.clearProperty(Distribution.HOME_PROPERTY);
    }

    @Test
    void runGivesTheProgramTheClientLibraryAndTheAgentAndReturnsItsStatus() throws Exception {
        Path seen = home.resolve("seen");
        Path token = home.resolve("token");
        Files.writeString(token, "tok\n");
        CliRun run = CliRun.of("run", "--agent", "127.0.0.1:9", "--token-file", token.toString(), "--",
                "sh", "-c", "printf '%s\\n%s\\n%s\\n' \"$LD_LIBRARY_PATH\" \"$GPUMIGRATE_AGENT\" \"$GPUMIGRATE_TOKEN_FILE\" > "
                        + seen + "; exit 3");
        assertEquals(3, run.status(), run.err());
        List<String> lines = Files.readAllLines(seen);
        assertTrue(lines.get(0).startsWith(home.resolve("lib/native").toString()), lines.get(0));
        assertEquals("127.0.0.1:9", lines.get(1));
        assertEquals(token.toAbsolutePath().toString(), lines.get(2));
    }

    @Test
    void runPassesTheProgramsOwnOptionsThrough() throws Exception {
        Path seen = home.resolve("seen");
        CliRun run = CliRun.of("run", "--agent", "127.0.0.1:9", "sh", "-c", "echo \"$0 $1\" > " + seen, "--steps", "5");
        assertEquals(0, run.status(), run.err());
        assertEquals("--steps 5", Files.readString(seen).strip());
    }

    @Test
    void runAttachNamesTheExistingSessionToTheClientLibrary() throws Exception {
        Path seen = home.resolve("seen");
        CliRun run = CliRun.of("run", "--agent", "127.0.0.1:9", "--attach", "42", "--", "sh", "-c",
                "echo \"$GPUMIGRATE_SESSION\" > " + seen);
        assertEquals(0, run.status(), run.err());
        assertEquals("42", Files.readString(seen).strip());
    }

    @Test
    void runAttachToSomethingNotASessionIdFailsNamingIt() {
        CliRun run = CliRun.of("run", "--attach", "s-42", "--", "true");
        assertTrue(run.status() != 0, run.err());
        assertTrue(run.err().contains("session 's-42' is not a session id"), run.err());
    }

    @Test
    void runOfAMissingProgramFailsNamingIt() {
        CliRun run = CliRun.of("run", "--", home.resolve("no-such-program").toString());
        assertEquals(1, run.status());
        assertTrue(run.err().contains("cannot run " + home.resolve("no-such-program")), run.err());
    }

    @Test
    void runWithoutTheClientLibraryFailsSayingSo() throws Exception {
        Files.delete(home.resolve("lib/native/libcuda.so.1"));
        CliRun run = CliRun.of("run", "--", "true");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("libcuda.so.1 is missing"), run.err());
    }

    @Test
    void demoWithoutTheStencilWorkloadSaysItIsNotThere() {
        CliRun run = CliRun.of("demo");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("stencil test workload is not in " + home.resolve("workloads")), run.err());
    }
}
