package io.gpumigrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.agent.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gpumigrate agent --config FILE}: the file's settings, flags overriding them, errors naming the line. */
class AgentCommandTest {

    @TempDir
    Path dir;

    private static AgentCommand.Settings settings(String... args) throws CliException {
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args);
        return ((AgentCommand) parsed.subcommand().commandSpec().userObject()).settings();
    }

    private Path config(String... lines) throws IOException {
        return Files.write(dir.resolve("agent.conf"), List.of(lines));
    }

    @Test
    void theFileSetsTheAgentAndFlagsOverrideIt() throws Exception {
        Path file = config("name = gpu-a", "port = 7801", "backend = emulator", "device-memory = 2147483648",
                "peer.gpu-b = 10.0.0.6:7717", "peer.gpu-c = 10.0.0.7:7717");
        AgentCommand.Settings fromFile = settings("agent", "--config", file.toString());
        assertEquals("gpu-a", fromFile.config().name());
        assertEquals(7801, fromFile.config().port());
        assertEquals(2L << 30, fromFile.cluster().deviceMemory());
        assertEquals(Map.of("gpu-b", new HostPort("10.0.0.6", 7717), "gpu-c", new HostPort("10.0.0.7", 7717)),
                fromFile.cluster().peers());

        AgentCommand.Settings overridden = settings("agent", "--config", file.toString(), "--port", "7900",
                "--peers", "gpu-c=10.0.0.9:7000,gpu-d=10.0.0.8:7717");
        assertEquals("gpu-a", overridden.config().name(), "not given as a flag: the file's");
        assertEquals(7900, overridden.config().port());
        assertEquals(Map.of("gpu-b", new HostPort("10.0.0.6", 7717), "gpu-c", new HostPort("10.0.0.9", 7000),
                "gpu-d", new HostPort("10.0.0.8", 7717)), overridden.cluster().peers());
    }

    @Test
    void aBadFileIsAUsageErrorNamingTheFileAndLine() throws Exception {
        Path file = config("name = gpu-a", "", "peer.gpu-b = 10.0.0.6");
        CliRun run = CliRun.of("agent", "--config", file.toString());
        assertEquals(2, run.status(), run.err());
        assertTrue(run.err().contains(file + ":3: peer gpu-b: address '10.0.0.6' is not HOST:PORT"), run.err());

        CliRun missing = CliRun.of("agent", "--config", dir.resolve("absent.conf").toString());
        assertEquals(2, missing.status(), missing.err());
        assertTrue(missing.err().contains("no such file: " + dir.resolve("absent.conf")), missing.err());
    }
}
