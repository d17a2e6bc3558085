package io.gpumigrate.agent.migration;

import io.gpumigrate.agent.AgentConfig;
import io.gpumigrate.agent.ClusterOptions;
import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.worker.BackendChoice;

import java.util.Map;

/** Two agents in this process, peers of each other, starting real worker processes on the emulator. */
final class TwoNodes implements AutoCloseable {

    final NodeAgent a;
    final NodeAgent b;

    TwoNodes(long memoryA, long memoryB) throws InterruptedException {
        a = NodeAgent.start(new AgentConfig("node-a", 0, "127.0.0.1", BackendChoice.EMULATOR, null, 60),
                ClusterOptions.of(Map.of(), memoryA));
        b = NodeAgent.start(new AgentConfig("node-b", 0, "127.0.0.1", BackendChoice.EMULATOR, null, 60),
                ClusterOptions.of(Map.of(), memoryB));
        a.addPeer("node-b", address(b));
        b.addPeer("node-a", address(a));
    }

    TwoNodes() throws InterruptedException {
        this(1L << 30, 1L << 30);
    }

    static HostPort address(NodeAgent agent) {
        return new HostPort("127.0.0.1", agent.port());
    }

    ControlClient control(NodeAgent agent) {
        return new ControlClient(address(agent), "");
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
