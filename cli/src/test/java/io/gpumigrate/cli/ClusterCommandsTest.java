package io.gpumigrate.cli;

import io.gpumigrate.agent.AgentClient;
import io.gpumigrate.agent.AgentConfig;
import io.gpumigrate.agent.ClusterOptions;
import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.protocol.Handshake;
import io.gpumigrate.worker.BackendChoice;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code node}, {@code migrate} and {@code ps} against two agents in this process that know each other. */
class ClusterCommandsTest {

    private static NodeAgent agent(String name) throws InterruptedException {
        return NodeAgent.start(new AgentConfig(name, 0, "127.0.0.1", BackendChoice.EMULATOR, null, 60, 0),
                ClusterOptions.of(Map.of(), 2L << 30));
    }

    @Test
    void nodeListCordonAndPsSeeTheWholeCluster() throws Exception {
        try (NodeAgent a = agent("gpu-a"); NodeAgent b = agent("gpu-b")) {
            a.addPeer("gpu-b", new HostPort("127.0.0.1", b.port()));
            b.addPeer("gpu-a", new HostPort("127.0.0.1", a.port()));
            String agentA = "127.0.0.1:" + a.port();

            CliRun cordon = CliRun.of("node", "cordon", "gpu-b", "--agent", agentA);
            assertEquals(0, cordon.status(), cordon.err());
            assertTrue(b.cordoned(), "cordon reached node gpu-b through gpu-a");
            CliRun ls = CliRun.of("node", "ls", "--agent", agentA);
            assertEquals(0, ls.status(), ls.err());
            assertTrue(ls.out().lines().anyMatch(l -> l.startsWith("gpu-a") && l.contains("ready")), ls.out());
            assertTrue(ls.out().lines().anyMatch(l -> l.startsWith("gpu-b") && l.contains("cordoned")), ls.out());

            CliRun refused = CliRun.of("migrate", "12345", "--agent", agentA);
            assertEquals(1, refused.status());
            assertTrue(refused.err().contains("cordoned") || refused.err().contains("no node"), refused.err());
            assertEquals(0, CliRun.of("node", "uncordon", "gpu-b", "--agent", agentA).status());

            Handshake.HelloReply hello = new AgentClient(new HostPort("127.0.0.1", b.port()), "").hello("on-b", 1);
            CliRun ps = CliRun.of("ps", "--agent", agentA);
            assertTrue(ps.out().lines().anyMatch(l -> l.startsWith(Long.toUnsignedString(hello.session()))
                    && l.contains("gpu-b")), "ps through gpu-a lists gpu-b's session:\n" + ps.out());

            CliRun unknown = CliRun.of("migrate", "777", "--to", "gpu-b", "--agent", agentA);
            assertEquals(1, unknown.status());
            assertTrue(unknown.err().contains("session 777 is live on no node"), unknown.err());
        }
    }

    @Test
    void badArgumentsAreUsageErrors() {
        CliRun session = CliRun.of("migrate", "not-a-session", "--to", "b");
        assertEquals(2, session.status());
        assertTrue(session.err().contains("'not-a-session' is not a session id"), session.err());
        CliRun timeout = CliRun.of("node", "drain", "n", "--timeout", "soon");
        assertEquals(2, timeout.status());
        assertTrue(timeout.err().contains("'soon' is not a number with a unit"), timeout.err());
        CliRun parallel = CliRun.of("node", "drain", "n", "--parallel", "0");
        assertEquals(2, parallel.status());
        assertTrue(parallel.err().contains("--parallel 0 is outside 1 to 16"), parallel.err());
        CliRun bare = CliRun.of("node");
        assertEquals(2, bare.status());
    }
}
