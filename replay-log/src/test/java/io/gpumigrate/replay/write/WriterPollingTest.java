package io.gpumigrate.replay.write;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.Calls;
import io.gpumigrate.replay.read.SessionLog;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Appends do not wake the writer thread for every full block of small entries; it finds them by
 * polling, so they reach disk while calls stream in, long before the linger time or a flush.
 */
class WriterPollingTest {

    @Test
    void fullBlocksOfSmallEntriesAreWrittenWithoutAFlush(@TempDir Path dir) throws Exception {
        LogWriterConfig config = LogWriterConfig.defaults().withBlockBytes(4 << 10).withLinger(Duration.ofSeconds(10));
        Random r = new Random(8);
        try (LogWriter w = LogWriter.open(dir, 3, config)) {
            long seq = 0;
            for (int i = 0; i < 1_000; i++) {
                byte[] body = Calls.launch(0x10, 4, 64, 0, Calls.random(r, 16));
                w.appendBorrowed(++seq, Op.LAUNCH_KERNEL.code(), 0, Unpooled.wrappedBuffer(body));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> w.stats().blocksWritten() >= 10);
            assertEquals(0, w.stats().callsDropped());
        }
    }

    @Test
    void flushToFilesPutsEveryCallInTheFilesWithoutWaitingForTheLinger(@TempDir Path dir) throws Exception {
        LogWriterConfig config = LogWriterConfig.defaults().withLinger(Duration.ofSeconds(10));
        try (LogWriter w = LogWriter.open(dir, 4, config)) {
            for (long seq = 1; seq <= 5; seq++) {
                w.appendBorrowed(seq, Op.LAUNCH_KERNEL.code(), 0,
                        Unpooled.wrappedBuffer(Calls.launch(0x10, 1, 32, 0, new byte[8])));
            }
            w.flushToFiles();
            int entries = 0;
            try (var reader = SessionLog.open(dir).reader()) {
                while (reader.next() != null) {
                    entries++;
                }
            }
            assertEquals(5, entries, "a reader of the files sees every call appended before the flush");
        }
    }
}
