package io.gpumigrate.replay.write;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.Calls;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.LogReader;
import io.gpumigrate.replay.read.SessionLog;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

import static io.gpumigrate.replay.read.RoundTripTest.assertSameCall;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A stream of uploads, one block each, queued faster than the writer takes them: their payloads
 * are hashed together ahead of the writes, and each call still refers to its own payload.
 */
class HashAheadTest {

    @Test
    void queuedBlocksOfPayloadsAreHashedTogetherAndEachKeepsItsOwn(@TempDir Path dir) throws Exception {
        Random r = new Random(12);
        byte[][] distinct = new byte[5][];
        for (int i = 0; i < distinct.length; i++) {
            distinct[i] = Calls.random(r, 256 << 10);
        }
        CountDownLatch release = new CountDownLatch(1);
        LogWriterConfig config = LogWriterConfig.defaults().withBlockBytes(4 << 10).withBeforeBlockWrite(() -> {
            try {
                release.await(); // the first block waits, so the others queue up behind it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<LoggedCall> calls = new ArrayList<>();
        WriterStats stats;
        try (LogWriter w = LogWriter.open(dir, 4, config)) {
            for (int seq = 1; seq <= 40; seq++) {
                byte[] payload = distinct[(seq * 7) % distinct.length];
                LoggedCall c = LoggedCall.of(seq, Op.MEMCPY_HTOD, 0, Calls.htod(0x2000_0000_0000L + seq, 0, payload));
                calls.add(c);
                w.append(seq, c.opCode(), c.flags(), Unpooled.wrappedBuffer(c.body()), false, 0);
            }
            release.countDown();
            w.flush();
            stats = w.stats();
        }
        assertEquals(40, stats.blocksWritten(), "one block per 256 KiB upload");
        assertEquals(distinct.length, stats.blobsWritten(), "each distinct payload stored once");
        assertEquals(40 - distinct.length, stats.blobsDeduplicated());
        try (LogReader reader = SessionLog.open(dir).reader()) {
            List<LogEntry> read = reader.readAll();
            assertEquals(calls.size(), read.size());
            for (int i = 0; i < calls.size(); i++) {
                assertSameCall(calls.get(i), read.get(i));
            }
        }
    }
}
