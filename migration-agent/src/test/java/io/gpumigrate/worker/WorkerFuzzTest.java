package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.Op;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Throws more than 10,000 random and mutated frames at a worker over many connections, then
 * checks that the worker still serves its well-behaved client correctly.
 */
class WorkerFuzzTest {

    private static final Logger log = LoggerFactory.getLogger(WorkerFuzzTest.class);
    private static final long SESSION = 9001;
    private static final int UNATTACHED_CONNECTIONS = 300;
    private static final int FRAMES_PER_CONNECTION = 20;
    private static final int ATTACHED_MUTATIONS = 5000;

    @Test
    void aWorkerSurvivesHostileFramesAndStillServesItsClient() throws Exception {
        FrameFuzzer fuzzer = new FrameFuzzer(20261128);
        int frames = 0;
        try (WorkerFixture worker = new WorkerFixture(SESSION, new EmulatorBackend(1L << 30))) {
            int port = worker.server.port();
            frames += throwAtUnattachedConnections(fuzzer, port, UNATTACHED_CONNECTIONS / 2, "a-guessed-secret");
            assertFalse(worker.session.clientAttached(), "no garbage attached to the session");
            assertEquals(0, worker.session.stats().callsExecuted(), "nothing unattached reached the device");

            try (WireTestClient client = worker.attach()) {
                long keep = client.memAlloc(4096);
                byte[] kept = pattern(4096, 5);
                client.copyHtoD(keep, kept);
                Map<String, Integer> statuses = new TreeMap<>();
                for (int i = 0; i < ATTACHED_MUTATIONS; i++) {
                    boolean replyWanted = fuzzer.random().nextInt(3) > 0;
                    long seq = client.lastSeq() + 1;
                    client.setNextSeq(seq + 1);
                    client.sendRaw(fuzzer.attachedMutation(seq, replyWanted));
                    if (replyWanted) {
                        WireTestClient.Reply reply = client.receive();
                        assertEquals(seq, reply.seq(), "replies come in call order, one per wanted reply");
                        statuses.merge(CuResult.name(reply.status()), 1, Integer::sum);
                    }
                    frames++;
                    if (i % 1000 == 0) {
                        frames += throwAtUnattachedConnections(fuzzer, port, 20, WorkerFixture.SECRET);
                    }
                }
                log.info("replies to {} mutated calls: {}", ATTACHED_MUTATIONS, statuses);
                frames += throwAtUnattachedConnections(fuzzer, port, UNATTACHED_CONNECTIONS / 2, WorkerFixture.SECRET);

                WireTestClient.Reply firstSync = client.synchronize();
                assertFalse(CuResult.isSticky(firstSync.status()), "bad input made the context unusable: " + firstSync);
                assertEquals(CuResult.SUCCESS, client.synchronize().status(), "the deferred error was cleared");

                int size = 4 << 20;
                long a = client.memAlloc(size);
                long b = client.memAlloc(size);
                byte[] data = pattern(size, 6);
                client.copyHtoD(a, data);
                client.async(Op.MEMCPY_DTOD, w -> w.u64(b).u64(a).u64(size).u64(0));
                assertArrayEquals(data, client.copyDtoH(b, size));
                assertArrayEquals(data, client.copyDtoH(a, size));
                assertArrayEquals(kept, client.copyDtoH(keep, 4096),
                        "mutated calls aimed at random addresses left the client's data alone");
                assertEquals(CuResult.SUCCESS, client.synchronize().status());
                assertTrue(worker.session.stats().deviceMemoryInUse() >= 2L * size + 4096);
            }
        }
        log.info("{} hostile frames thrown", frames);
        assertTrue(frames >= 10_000, "only " + frames + " frames were thrown");
    }

    /**
     * Opens {@code connections} connections, each sending a burst of garbage (some of it ATTACH
     * frames, intact or mutated, carrying {@code secret}), and closes them.
     */
    private static int throwAtUnattachedConnections(FrameFuzzer fuzzer, int port, int connections, String secret)
            throws IOException {
        int frames = 0;
        for (int c = 0; c < connections; c++) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int f = 0; f < FRAMES_PER_CONNECTION; f++) {
                byte[] piece = fuzzer.random().nextInt(50) == 0
                        ? fuzzer.attach(SESSION, secret)
                        : fuzzer.unattachedGarbage(SESSION, secret);
                burst.writeBytes(piece);
                frames++;
            }
            try (WireTestClient garbage = WireTestClient.connect(port)) {
                garbage.sendRaw(burst.toByteArray());
            } catch (IOException e) {
                // The worker may close first (a malformed frame): that is the expected reaction.
            }
        }
        return frames;
    }

    private static byte[] pattern(int size, long seed) {
        byte[] b = new byte[size];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }
}
