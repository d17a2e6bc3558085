package io.gpumigrate.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    @Test
    void aBareCommandPrintsUsageAndExitsWithTwo() {
        CliRun run = CliRun.of();
        assertEquals(2, run.status());
        assertTrue(run.err().contains("Usage: gpumigrate"), run.err());
        for (String command : new String[] {"agent", "run", "ps", "demo"}) {
            assertTrue(run.err().contains("  " + command + " "), "usage lists " + command + ": " + run.err());
        }
    }

    @Test
    void anUnknownCommandOrOptionIsAUsageError() {
        assertEquals(2, CliRun.of("migrate-everything").status());
        assertEquals(2, CliRun.of("ps", "--bogus").status());
        assertEquals(2, CliRun.of("run").status(), "run needs a program");
    }

    @Test
    void helpAndVersionSucceed() {
        CliRun help = CliRun.of("run", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--agent=HOST:PORT"), help.out());
        CliRun version = CliRun.of("--version");
        assertEquals(0, version.status());
        assertTrue(version.out().startsWith("gpumigrate "), version.out());
    }

    @Test
    void anAgentBeyondLoopbackWithoutATokenIsAUsageError() {
        CliRun run = CliRun.of("agent", "--bind", "0.0.0.0", "--port", "0");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("token"), run.err());
    }

    @Test
    void aBadAgentAddressIsAFailureNamingIt() {
        CliRun run = CliRun.of("ps", "--agent", "nohost");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("'nohost' is not HOST:PORT"), run.err());
    }

    @Test
    void psAgainstNoAgentFailsWithTheAddress() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        CliRun run = CliRun.of("ps", "--agent", "127.0.0.1:" + port);
        assertEquals(1, run.status());
        assertTrue(run.err().contains("cannot reach the agent at 127.0.0.1:" + port), run.err());
    }
}
