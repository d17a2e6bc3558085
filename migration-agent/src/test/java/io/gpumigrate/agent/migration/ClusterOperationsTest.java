package io.gpumigrate.agent.migration;

import io.gpumigrate.agent.AgentClient;
import io.gpumigrate.agent.NodeAgent;
import io.gpumigrate.agent.SessionInfo;
import io.gpumigrate.checkpoint.CheckpointFormat;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoint and restore, drain and cordon, and migrations that must be refused or must survive a lost redirect. */
class ClusterOperationsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Bytes per copy call: a frame holds at most 16 MiB. */
    private static final int PIECE = 8 << 20;

    /** A session holding {@code bytes} of known data at {@code dptr} (written and read back). */
    private record Filled(ResendingTestClient client, long dptr, byte[] data) {
        void check() throws Exception {
            for (int off = 0; off < data.length; off += PIECE) {
                int from = off;
                int n = Math.min(PIECE, data.length - off);
                assertArrayEquals(java.util.Arrays.copyOfRange(data, from, from + n), client.call(Op.MEMCPY_DTOH,
                        w -> w.u64(dptr + from).u64(n).u64(0)).expectSuccess().results(), "bytes from " + from);
            }
        }
    }

    private static Filled filled(NodeAgent agent, int bytes, int seed) throws Exception {
        ResendingTestClient client = ResendingTestClient.open(TwoNodes.address(agent), "filled");
        client.call(Op.CTX_CREATE, w -> w.u32(0).i32(0)).expectSuccess();
        long dptr = client.call(Op.MEM_ALLOC, w -> w.u64(bytes)).expectSuccess().reader().u64();
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        for (int off = 0; off < bytes; off += PIECE) {
            int from = off;
            client.async(Op.MEMCPY_HTOD, w -> w.u64(dptr + from).u64(0)
                    .bytes(java.util.Arrays.copyOfRange(data, from, Math.min(bytes, from + PIECE))));
        }
        Filled filled = new Filled(client, dptr, data);
        filled.check(); // applied before any dump: the agent's control connection does not wait behind the client's
        return filled;
    }

    private static String state(NodeAgent agent, long session) throws Exception {
        return new AgentClient(TwoNodes.address(agent), "").sessions().stream().filter(s -> s.session() == session)
                .map(SessionInfo::state).filter(s -> !s.equals("migrated")).findFirst().orElse("absent");
    }

    @Test
    void aDumpLeftRunningThenAKillingDumpRestoreElsewhereWithTheSameMemoryAndSeq(@TempDir Path dir) throws Exception {
        try (TwoNodes nodes = new TwoNodes()) {
            Filled s = filled(nodes.a, 1 << 20, 1);
            long session = s.client().session();
            ControlClient control = nodes.control(nodes.b); // node-b forwards to node-a, which holds the session
            ControlClient.DumpResult kept = control.dump(session, dir.resolve("running").toString(), true, p -> { });
            assertTrue(kept.bytesWritten() > 0, kept.toString());
            s.check(); // left running

            control.dump(session, dir.resolve("image").toString(), false, p -> { });
            await().atMost(WAIT).until(() -> state(nodes.a, session).equals("finished"));
            long nextSeq = s.client().lastSeq() + 1;

            String[] restored = control.restore(dir.resolve("image").toString(), "node-b", p -> { });
            assertEquals(List.of(Long.toUnsignedString(session), "node-b"), List.of(restored));
            ResendingTestClient again = ResendingTestClient.reattach(TwoNodes.address(nodes.a), session, nextSeq);
            assertEquals(nextSeq - 1, again.lastApplied(), "the restored session has applied what the dumped one had");
            new Filled(again, s.dptr(), s.data()).check();
            again.close();
        }
    }

    @Test
    void aSessionThatEndsWhileItsImageIsSealedKeepsTheImageAndTheDumpSucceeds(@TempDir Path dir) throws Exception {
        try (TwoNodes nodes = new TwoNodes()) {
            // more chunks than the encoder has slots: part of the image is encoded and written after the resume
            Filled s = filled(nodes.a, 96 << 20, 10);
            long session = s.client().session();
            Path image = dir.resolve("image");
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            var dump = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return nodes.control(nodes.a).dump(session, image.toString(), true, p -> started.countDown());
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            assertTrue(started.await(60, java.util.concurrent.TimeUnit.SECONDS), "the dump reported no progress");
            // the program ends now: its GOODBYE is applied once the dump has resumed the session, while the
            // image is still being written
            s.client().close();
            ControlClient.DumpResult result = dump.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(result.bytesWritten() >= 96 << 20, result.toString());
            await().atMost(WAIT).until(() -> state(nodes.a, session).equals("finished"));
            try (Stream<Path> left = Files.list(dir)) {
                assertEquals(List.of(image), left.toList(), "the image, and no temporary directory beside it");
            }

            nodes.control(nodes.a).restore(image.toString(), "node-b", p -> { });
            ResendingTestClient again = ResendingTestClient.reattach(TwoNodes.address(nodes.a), session,
                    s.client().lastSeq());
            new Filled(again, s.dptr(), s.data()).check();
            again.close();
        }
    }

    @Test
    void aClientConnectedDuringAKillingDumpIsToldAndCarriesOnOnceTheSessionIsRestored(@TempDir Path dir)
            throws Exception {
        try (TwoNodes nodes = new TwoNodes()) {
            Filled s = filled(nodes.a, 1 << 20, 8);
            long session = s.client().session();
            Path image = dir.resolve("image");
            nodes.control(nodes.a).dump(session, image.toString(), false, p -> { });
            assertEquals(image.toAbsolutePath().toString(), s.client().awaitCheckpointed());
            await().atMost(WAIT).until(() -> state(nodes.a, session).equals("finished"));

            nodes.control(nodes.a).restore(image.toString(), "node-b", p -> { });
            s.check(); // the same client: it locates the restored session on node-b and resends
            assertEquals(1, s.client().moves());
            assertEquals("running", state(nodes.b, session));
            assertEquals(List.of("filled"), new AgentClient(TwoNodes.address(nodes.b), "").sessions().stream()
                    .filter(i -> i.session() == session).map(SessionInfo::program).toList(),
                    "the restored session keeps its program's label");
            s.client().close();
        }
    }

    @Test
    void aSourceWorkerKilledRightAfterTheCommitLeavesTheSessionToTheTarget() throws Exception {
        try (TwoNodes nodes = new TwoNodes()) {
            Filled s = filled(nodes.a, 2 << 20, 9);
            long session = s.client().session();
            long sourcePid = nodes.a.workerPid(session).orElseThrow();
            ProcessHandle source = ProcessHandle.of(sourcePid).orElseThrow();
            nodes.control(nodes.a).migrate(session, "node-b", 60_000, p -> {
                if (p.phase().equals("commit")) {
                    source.destroyForcibly(); // the image is verified; the commit and the redirect race the kill
                }
            });
            await().atMost(WAIT).until(() -> !source.isAlive());
            s.check(); // through MIGRATED if it got out in time, else SESSION_LOCATE
            assertEquals(1, s.client().moves());
            assertEquals("running", state(nodes.b, session));
            s.client().close();
        }
    }

    @Test
    void aCorruptedOrTruncatedImageIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        try (TwoNodes nodes = new TwoNodes()) {
            Filled s = filled(nodes.a, 1 << 20, 2);
            ControlClient control = nodes.control(nodes.a);
            Path image = dir.resolve("image");
            control.dump(s.client().session(), image.toString(), false, p -> { });
            await().atMost(WAIT).until(() -> state(nodes.a, s.client().session()).equals("finished"));
            Path chunks = largestChunkFile(image);
            try (RandomAccessFile f = new RandomAccessFile(chunks.toFile(), "rw")) {
                f.seek(f.length() / 2);
                int b = f.read();
                f.seek(f.length() / 2);
                f.write(b ^ 0x20);
            }
            CudaException corrupt = assertThrows(CudaException.class, () -> control.restore(image.toString(), "", p -> { }));
            assertTrue(corrupt.getMessage().contains(chunks.getFileName().toString()), corrupt.getMessage());

            Files.write(chunks, java.util.Arrays.copyOf(Files.readAllBytes(chunks), (int) Files.size(chunks) / 2));
            CudaException truncated = assertThrows(CudaException.class, () -> control.restore(image.toString(), "", p -> { }));
            assertTrue(truncated.getMessage().contains(chunks.getFileName().toString())
                    && truncated.getMessage().contains("truncated"), truncated.getMessage());
        }
    }

    /** The image's largest chunk file: dumps spread chunks over several files, some of them small. */
    private static Path largestChunkFile(Path image) throws java.io.IOException {
        Path largest = null;
        for (int i = 0; Files.exists(image.resolve(CheckpointFormat.chunkFileName(i))); i++) {
            Path p = image.resolve(CheckpointFormat.chunkFileName(i));
            if (largest == null || Files.size(p) > Files.size(largest)) {
                largest = p;
            }
        }
        assertTrue(largest != null && Files.size(largest) > 1, "the dump wrote no chunk file");
        return largest;
    }

    @Test
    void drainMovesEverySessionAndCordonKeepsNewOnesOff() throws Exception {
        try (TwoNodes nodes = new TwoNodes()) {
            Filled one = filled(nodes.a, 256 << 10, 3);
            Filled two = filled(nodes.a, 512 << 10, 4);
            ControlClient control = nodes.control(nodes.b);
            List<ControlClient.DrainRow> dry = control.drain("node-a", 60_000, true, p -> { });
            assertEquals(2, dry.size());
            assertTrue(dry.stream().allMatch(r -> r.targetNode().equals("node-b") && r.status() == CuResult.SUCCESS), dry.toString());
            assertTrue(!nodes.a.cordoned(), "a dry run cordons nothing");

            List<String> phases = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<ControlClient.DrainRow> rows = control.drain("node-a", 120_000, false, p -> phases.add(p.phase()));
            assertEquals(2, rows.size());
            assertTrue(rows.stream().allMatch(r -> r.status() == CuResult.SUCCESS), rows.toString());
            for (ControlClient.DrainRow r : rows) {
                String label = "session " + Long.toUnsignedString(r.session()) + ": ";
                assertTrue(phases.stream().anyMatch(p -> p.startsWith(label + "commit")),
                        "moved at once, each move's phases are labelled with its session: " + phases);
            }
            assertEquals(phases.size(), new java.util.HashSet<>(phases).size(), "each phase change once: " + phases);
            one.check();
            two.check();
            assertEquals(1, one.client().moves());
            assertTrue(nodes.a.sessions().live().isEmpty(), "nothing is left on node-a");

            CudaException refused = assertThrows(CudaException.class,
                    () -> new AgentClient(TwoNodes.address(nodes.a), "").hello("late", 1));
            assertEquals(CuResult.NOT_PERMITTED, refused.result());
            assertTrue(refused.getMessage().contains("cordoned"), refused.getMessage());
            List<NodeRow> list = control.nodes();
            assertTrue(list.stream().anyMatch(n -> n.node().equals("node-a") && n.cordoned()), list.toString());

            control.cordon("node-a", false);
            new AgentClient(TwoNodes.address(nodes.a), "").hello("welcome", 1);
            one.client().close();
            two.client().close();
        }
    }

    @Test
    void aTargetWithoutTheMemoryIsRefusedBeforeThePause() throws Exception {
        try (TwoNodes nodes = new TwoNodes(1L << 30, 1L << 20)) {
            Filled s = filled(nodes.a, 4 << 20, 5);
            s.check();
            CudaException e = assertThrows(CudaException.class,
                    () -> nodes.control(nodes.a).migrate(s.client().session(), "node-b", 60_000, p -> { }));
            assertEquals(CuResult.OUT_OF_MEMORY, e.result(), e.getMessage());
            s.check();
            assertEquals(0, s.client().moves(), "the client never left node-a");
            s.client().close();
        }
    }

    @Test
    void aTargetWorkerKilledBeforeTheCommitLeavesTheSessionOnItsSource() throws Exception {
        try (TwoNodes nodes = new TwoNodes()) {
            Filled s = filled(nodes.a, 2 << 20, 6);
            long session = s.client().session();
            assertThrows(Exception.class, () -> nodes.control(nodes.a).migrate(session, "node-b", 60_000, p -> {
                if (p.phase().equals("prepare")) {
                    // the target's worker dies as soon as it exists
                    Thread.ofVirtual().start(() -> await().atMost(WAIT).until(() -> nodes.b.workerPid(session)
                            .stream().peek(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly))
                            .findAny().isPresent()));
                }
            }));
            s.check();
            assertEquals(0, s.client().moves());
            assertEquals("running", state(nodes.a, session));
            s.client().close();
        }
    }

    @Test
    void aClientThatMissesTheRedirectFindsItsSessionThroughAnyAgent() throws Exception {
        try (TwoNodes nodes = new TwoNodes()) {
            Filled s = filled(nodes.a, 1 << 20, 7);
            s.client().ignoreMigrated = true;
            s.check();
            nodes.control(nodes.b).migrate(s.client().session(), "node-b", 60_000, p -> { });
            s.check(); // SESSION_LOCATE at node-a, which asks node-b
            assertEquals(1, s.client().moves());
            s.client().close();
        }
    }

    static long count(Stream<?> s) {
        return s.count();
    }
}
