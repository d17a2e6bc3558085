package io.gpumigrate.agent;

import io.gpumigrate.protocol.Handshake;
import io.gpumigrate.worker.BackendChoice;
import io.gpumigrate.worker.WireTestClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An agent with warm workers (real worker processes, emulator backend): HELLOs are served by warm ones. */
class WarmWorkerPoolTest {

    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(60);

    private static AgentConfig config(int warmWorkers) {
        return new AgentConfig("node-w", 0, "127.0.0.1", BackendChoice.EMULATOR, null, 60, warmWorkers);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void aHelloIsServedByTheWarmWorkerAndAReplacementStarts() throws Exception {
        List<Long> seen = new ArrayList<>();
        try (NodeAgent agent = NodeAgent.start(config(1))) {
            await().atMost(PROCESS_TIMEOUT).until(() -> agent.warmWorkerPids().size() == 1);
            long warmPid = agent.warmWorkerPids().getFirst();
            seen.add(warmPid);

            AgentClient client = new AgentClient(new HostPort("127.0.0.1", agent.port()), "");
            Handshake.HelloReply hello = client.hello("warm-test", 77);
            assertEquals(warmPid, agent.workerPid(hello.session()).orElseThrow(), "the session runs on the warm worker");
            try (WireTestClient worker = WireTestClient.attach(hello.workerPort(), hello.session(), hello.secret())) {
                byte[] data = {1, 2, 3, 4, 5, 6, 7, 8};
                long dptr = worker.memAlloc(data.length);
                worker.copyHtoD(dptr, data);
                assertArrayEquals(data, worker.copyDtoH(dptr, data.length));

                await().atMost(PROCESS_TIMEOUT).until(() -> agent.warmWorkerPids().size() == 1);
                long replacement = agent.warmWorkerPids().getFirst();
                assertNotEquals(warmPid, replacement, "a new warm worker replaces the claimed one");
                seen.add(replacement);
            }
            await().atMost(PROCESS_TIMEOUT).until(() -> !alive(warmPid));
            assertEquals("client connection closed", agent.sessions().all().stream()
                    .filter(r -> r.id() == hello.session()).findFirst().orElseThrow().endReason());
        }
        for (long pid : seen) {
            assertFalse(alive(pid), "worker " + pid + " outlived its agent");
        }
    }

    @Test
    void closingTheAgentStopsItsUnclaimedWarmWorkers() throws Exception {
        long pid;
        try (NodeAgent agent = NodeAgent.start(config(2))) {
            await().atMost(PROCESS_TIMEOUT).until(() -> agent.warmWorkerPids().size() == 2);
            pid = agent.warmWorkerPids().getFirst();
            assertTrue(alive(pid));
        }
        assertFalse(alive(pid), "a warm worker outlived its agent");
    }

    @Test
    void withoutWarmWorkersAHelloStartsAWorker() throws Exception {
        try (NodeAgent agent = NodeAgent.start(config(0))) {
            assertEquals(List.of(), agent.warmWorkerPids());
            AgentClient client = new AgentClient(new HostPort("127.0.0.1", agent.port()), "");
            Handshake.HelloReply hello = client.hello("cold-test", 78);
            try (WireTestClient worker = WireTestClient.attach(hello.workerPort(), hello.session(), hello.secret())) {
                assertTrue(worker.memAlloc(64) != 0);
            }
            assertEquals(List.of(), agent.warmWorkerPids());
        }
    }

    @Test
    void aConfigurationRejectsANegativeOrHugePool() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> config(65));
        assertEquals("warm workers 65 outside [0, 64]", e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> config(-1));
    }
}
