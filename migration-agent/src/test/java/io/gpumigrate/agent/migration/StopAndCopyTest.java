package io.gpumigrate.agent.migration;

import io.gpumigrate.protocol.Op;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code migrate --no-precopy}: a session above the pre-copy threshold is paused at once and
 * all of its memory moves in the final copy; without the flag the same session is pre-copied.
 */
class StopAndCopyTest {

    /** Above PrecopyPolicy's 64 MiB threshold, so that only the flag can skip pre-copy. */
    private static final long BYTES = 80L << 20;
    private static final int PATTERN = 3 << 20;

    @Test
    void noPrecopyMovesEverythingInThePauseAndTheDataArrivesIntact() throws Exception {
        try (TwoNodes nodes = new TwoNodes();
             ResendingTestClient client = ResendingTestClient.open(TwoNodes.address(nodes.a), "stop-and-copy")) {
            client.call(Op.CTX_CREATE, w -> w.u32(0).i32(0)).expectSuccess();
            long dptr = client.call(Op.MEM_ALLOC, w -> w.u64(BYTES)).expectSuccess().reader().u64();
            byte[] pattern = new byte[PATTERN];
            new Random(5).nextBytes(pattern);
            long at = BYTES - PATTERN - 4096; // the tail: chunks after the first, not aligned to them
            client.async(Op.MEMCPY_HTOD, w -> w.u64(dptr + at).u64(0).bytes(pattern));
            ControlClient control = nodes.control(nodes.a);

            List<String> stopAndCopy = new CopyOnWriteArrayList<>();
            ControlClient.MigrationResult r = control.migrate(client.session(), "node-b", 60_000, false,
                    p -> stopAndCopy.add(p.phase()));
            assertEquals("node-b", r.targetNode());
            assertFalse(stopAndCopy.contains("precopy"), "no pre-copy round: " + stopAndCopy);
            assertTrue(stopAndCopy.contains("final-copy"), stopAndCopy.toString());
            assertTrue(r.bytesMoved() >= BYTES, "all memory moved in the final copy: " + r);

            assertArrayEquals(pattern, read(client, dptr + at), "the data survived stop-and-copy");
            assertEquals(1, client.moves(), "the client followed the move");

            List<String> live = new CopyOnWriteArrayList<>();
            control.migrate(client.session(), "node-a", 60_000, true, p -> live.add(p.phase()));
            assertTrue(live.contains("precopy"), "the default still pre-copies: " + live);

            assertArrayEquals(pattern, read(client, dptr + at), "the data survived the move back");
            assertEquals(2, client.moves(), "the client followed each move");
        }
    }

    private static byte[] read(ResendingTestClient client, long src) throws Exception {
        return client.call(Op.MEMCPY_DTOH, w -> w.u64(src).u64(PATTERN).u64(0)).expectSuccess().results();
    }
}
