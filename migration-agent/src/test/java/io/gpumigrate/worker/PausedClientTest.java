package io.gpumigrate.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A paused session (a migration's or a dump's pause) leaves its client's connection unread: the
 * client's further calls wait in the socket and in the client, not in the worker. On resume they
 * are applied, in order; after a redirect the client, even one blocked writing, reads MIGRATED,
 * and the worker's process waits for the client to close before it ends.
 */
class PausedClientTest {

    private static final int CHUNK = 1 << 20;
    /** More than the loopback sockets hold, less than what the worker queues before it stops reading a running session. */
    private static final int CHUNKS = 48;

    private static byte[][] randomChunks(long seed) {
        byte[][] data = new byte[CHUNKS][CHUNK];
        Random random = new Random(seed);
        for (byte[] d : data) {
            random.nextBytes(d);
        }
        return data;
    }

    private static CompletableFuture<Void> writeAll(WireTestClient client, long dptr, byte[][] data) {
        return CompletableFuture.runAsync(() -> {
            try {
                for (int k = 0; k < data.length; k++) {
                    client.copyHtoD(dptr + (long) k * CHUNK, data[k]);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void aPausedSessionLeavesItsClientsCallsUnreadAndAppliesThemInOrderOnResume() throws Exception {
        try (WorkerFixture worker = new WorkerFixture(93); WireTestClient client = worker.attach()) {
            long dptr = client.memAlloc((long) CHUNK * CHUNKS);
            worker.session.pause().get(10, TimeUnit.SECONDS);
            byte[][] data = randomChunks(93);
            CompletableFuture<Void> writer = writeAll(client, dptr, data);
            Thread.sleep(500);
            assertFalse(writer.isDone(), "the client could write 48 MiB of calls into a paused session");

            worker.session.resume().get(10, TimeUnit.SECONDS);
            writer.get(60, TimeUnit.SECONDS);
            for (int k = 0; k < CHUNKS; k++) {
                assertArrayEquals(data[k], client.copyDtoH(dptr + (long) k * CHUNK, CHUNK), "chunk " + k);
            }
        }
    }

    @Test
    void aClientBlockedWritingWhenItsSessionIsRedirectedReadsMigratedAndTheWorkerWaitsForItToClose() throws Exception {
        try (WorkerFixture worker = new WorkerFixture(94)) {
            WireTestClient client = worker.attach();
            long dptr = client.memAlloc((long) CHUNK * CHUNKS);
            worker.session.pause().get(10, TimeUnit.SECONDS);
            CompletableFuture<Void> writer = writeAll(client, dptr, randomChunks(94));
            Thread.sleep(300);
            assertFalse(writer.isDone(), "the client could write 48 MiB of calls into a paused session");

            byte[] where = {1, 2, 3, 4};
            worker.session.redirect(Frame.of(Op.MIGRATED, false, 0, Unpooled.wrappedBuffer(where)), "migrated")
                    .get(10, TimeUnit.SECONDS);
            writer.get(60, TimeUnit.SECONDS); // the worker drops what the client still had to send
            Frame migrated = client.receiveFrame();
            try {
                assertEquals(Op.MIGRATED, migrated.op());
                assertArrayEquals(where, io.netty.buffer.ByteBufUtil.getBytes(migrated.body()));
            } finally {
                migrated.release();
            }

            CompletableFuture<Void> exit = CompletableFuture.runAsync(worker.session::awaitRedirectedClient);
            Thread.sleep(300);
            assertFalse(exit.isDone(), "the worker would end before its redirected client has closed");
            client.close();
            exit.get(5, TimeUnit.SECONDS);
        }
    }
}
