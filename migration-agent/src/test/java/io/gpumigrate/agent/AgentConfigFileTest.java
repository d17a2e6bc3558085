package io.gpumigrate.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's configuration file: what it sets, and errors that name the file and the line. */
class AgentConfigFileTest {

    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        return Files.write(dir.resolve("agent.conf"), List.of(lines));
    }

    @Test
    void settingsAndPeersAreReadCommentsAndBlankLinesSkipped() throws IOException {
        Path file = write("# node gpu-a of the lab cluster", "", "name = gpu-a", "port=7800", "  bind = 10.0.0.5  ",
                "backend = emulator", "device-memory = 1073741824", "token-file = secrets/token",
                "peer.gpu-b = 10.0.0.6:7717", "peer.gpu-c = [fd00::7]:7717");
        AgentConfigFile c = AgentConfigFile.read(file);
        assertEquals("gpu-a", c.name());
        assertEquals(7800, c.port());
        assertEquals("10.0.0.5", c.bind());
        assertEquals("emulator", c.backend());
        assertEquals(1L << 30, c.deviceMemory());
        assertEquals(dir.resolve("secrets/token").toAbsolutePath(), c.tokenFile(), "relative to the file's directory");
        assertEquals(Map.of("gpu-b", new HostPort("10.0.0.6", 7717), "gpu-c", new HostPort("fd00::7", 7717)), c.peers());
        assertEquals(List.of("gpu-b", "gpu-c"), List.copyOf(c.peers().keySet()), "in the file's order");
    }

    @Test
    void anOnlyPeersFileLeavesEverySettingUnset() throws IOException {
        AgentConfigFile c = AgentConfigFile.read(write("peer.b = 127.0.0.1:7718"));
        assertNull(c.name());
        assertNull(c.port());
        assertNull(c.deviceMemory());
        assertNull(c.tokenFile());
        assertEquals(Map.of("b", new HostPort("127.0.0.1", 7718)), c.peers());
    }

    @Test
    void errorsNameTheFileTheLineAndTheProblem() throws IOException {
        assertError("agent.conf:2: 'peer.b 127.0.0.1:1' is not KEY = VALUE", "# peers", "peer.b 127.0.0.1:1");
        assertError("agent.conf:1: unknown key 'prot'", "prot = 7717");
        assertError("agent.conf:1: peer b: address 'nowhere' is not HOST:PORT", "peer.b = nowhere");
        assertError("agent.conf:1: 'peer.' names no node", "peer. = h:1");
        assertError("agent.conf:3: 'peer.b' is set again (first on line 1)", "peer.b = h:1", "name = a", "peer.b = h:2");
        assertError("agent.conf:1: port 70000 is outside [0, 65535]", "port = 70000");
        assertError("agent.conf:1: device-memory '16G' is not a whole number", "device-memory = 16G");
        assertError("agent.conf:1: 'name =' is not KEY = VALUE", "name =");
    }

    private void assertError(String expected, String... lines) throws IOException {
        Path file = write(lines);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentConfigFile.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
