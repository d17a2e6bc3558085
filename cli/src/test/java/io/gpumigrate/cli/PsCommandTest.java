package io.gpumigrate.cli;

import io.gpumigrate.agent.AgentClient;
import io.gpumigrate.agent.AgentConfig;
import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.protocol.Handshake;
import io.gpumigrate.worker.BackendChoice;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PsCommandTest {

    @Test
    void psShowsTheAgentsSessionsAsATable() throws Exception {
        try (NodeAgent agent = NodeAgent.start(new AgentConfig("gpu-node-7", 0, "127.0.0.1", BackendChoice.EMULATOR, null, 60))) {
            Handshake.HelloReply hello = new AgentClient(new HostPort("127.0.0.1", agent.port()), "").hello("saxpy_loop", 99);
            CliRun run = CliRun.of("ps", "--agent", "127.0.0.1:" + agent.port());
            assertEquals(0, run.status(), run.err());
            List<String> lines = run.out().lines().toList();
            assertEquals(List.of("SESSION", "PROGRAM", "NODE", "MEMORY", "CALLS", "STATE"),
                    Arrays.asList(lines.get(0).trim().split("\\s+")));
            assertEquals(List.of(Long.toString(hello.session()), "saxpy_loop", "gpu-node-7", "0", "B", "0", "running"),
                    Arrays.asList(lines.get(1).trim().split("\\s+")));
            assertEquals(2, lines.size());
        }
    }

    @Test
    void memoryIsShownInBinaryUnits() {
        assertEquals("0 B", SessionTable.bytes(0));
        assertEquals("1023 B", SessionTable.bytes(1023));
        assertEquals("1.0 KiB", SessionTable.bytes(1024));
        assertEquals("1.5 MiB", SessionTable.bytes(3L << 19));
        assertEquals("16.0 GiB", SessionTable.bytes(16L << 30));
    }
}
