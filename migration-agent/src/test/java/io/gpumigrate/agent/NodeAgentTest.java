package io.gpumigrate.agent;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.Handshake;
import io.gpumigrate.worker.BackendChoice;
import io.gpumigrate.worker.WireTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An agent in this process starting real worker processes (emulator backend), reached over loopback TCP. */
class NodeAgentTest {

    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(60);

    private static AgentConfig config(String bind, byte[] token) {
        return new AgentConfig("node-a", 0, bind, BackendChoice.EMULATOR, token, 60);
    }

    private static SessionInfo find(AgentClient client, long session) throws Exception {
        List<SessionInfo> all = client.sessions();
        return all.stream().filter(s -> s.session() == session).findFirst()
                .orElseThrow(() -> new AssertionError("session " + session + " not listed in " + all));
    }

    @Test
    void aHelloStartsAWorkerProcessThatServesTheSessionUntilTheClientLeaves() throws Exception {
        try (NodeAgent agent = NodeAgent.start(config("127.0.0.1", null))) {
            AgentClient client = new AgentClient(new HostPort("127.0.0.1", agent.port()), "");
            Handshake.HelloReply hello = client.hello("vector_add", 4242);
            long pid = agent.workerPid(hello.session()).orElseThrow();
            assertNotEquals(ProcessHandle.current().pid(), pid);
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the worker is a live process");
            assertEquals("127.0.0.1", hello.workerHost());

            byte[] data = new byte[1 << 20];
            new Random(3).nextBytes(data);
            try (WireTestClient worker = WireTestClient.attach(hello.workerPort(), hello.session(), hello.secret())) {
                long dptr = worker.memAlloc(data.length);
                worker.copyHtoD(dptr, data);
                assertArrayEquals(data, worker.copyDtoH(dptr, data.length));

                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    SessionInfo row = find(client, hello.session());
                    assertEquals("vector_add", row.program());
                    assertEquals("node-a", row.node());
                    assertEquals("running", row.state());
                    assertEquals(data.length, row.deviceMemoryInUse());
                    assertEquals(3, row.callsExecuted());
                });
            }
            await().atMost(PROCESS_TIMEOUT).untilAsserted(() -> {
                SessionInfo row = find(client, hello.session());
                assertEquals("finished", row.state());
                assertEquals(0, row.deviceMemoryInUse());
            });
            assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the worker process exited");
            assertEquals("client connection closed",
                    agent.sessions().all().stream().filter(r -> r.id() == hello.session()).findFirst()
                            .orElseThrow().endReason());
        }
    }

    @Test
    void beyondLoopbackAHelloNeedsTheToken(@TempDir Path dir) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> config("0.0.0.0", null),
                "an agent listening beyond loopback refuses to start without a token");
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "s3cret-token\n", StandardCharsets.UTF_8);
        try (NodeAgent agent = NodeAgent.start(config("0.0.0.0", AgentConfig.readToken(tokenFile)))) {
            HostPort address = new HostPort("127.0.0.1", agent.port());
            CudaException none = assertThrows(CudaException.class,
                    () -> new AgentClient(address, "").hello("p", 1));
            assertEquals(CuResult.NOT_PERMITTED, none.result());
            CudaException wrong = assertThrows(CudaException.class,
                    () -> new AgentClient(address, "s3cret-tokeN").hello("p", 1));
            assertEquals(CuResult.NOT_PERMITTED, wrong.result());
            CudaException list = assertThrows(CudaException.class, () -> new AgentClient(address, "").sessions());
            assertEquals(CuResult.NOT_PERMITTED, list.result());
            assertTrue(agent.sessions().all().isEmpty(), "no worker was started for a refused hello");

            AgentClient client = new AgentClient(address, "s3cret-token");
            Handshake.HelloReply hello = client.hello("p", 1);
            try (WireTestClient worker = WireTestClient.attach(hello.workerPort(), hello.session(), hello.secret())) {
                assertEquals(CuResult.SUCCESS, worker.goodbye().status());
            }
            await().atMost(PROCESS_TIMEOUT).until(() -> find(client, hello.session()).state().equals("finished"));
        }
    }

    @Test
    void closingTheAgentStopsItsWorkers() throws Exception {
        long pid;
        try (NodeAgent agent = NodeAgent.start(config("127.0.0.1", null))) {
            Handshake.HelloReply hello = new AgentClient(new HostPort("127.0.0.1", agent.port()), "").hello("idle", 7);
            pid = agent.workerPid(hello.session()).orElseThrow();
        }
        ProcessHandle worker = ProcessHandle.of(pid).orElse(null);
        assertTrue(worker == null || !worker.isAlive(), "the worker died with its agent");
    }
}
