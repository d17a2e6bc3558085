package io.gpumigrate.replay.write;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.Calls;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LogGap;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.LogReader;
import io.gpumigrate.replay.read.SessionLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The writer thread is held inside a block write by a hook, as a disk that has stopped answering. */
class WriterBackpressureTest {

    /** A hook that parks the writer thread until released, and says when it got there. */
    static final class StuckDisk implements Runnable {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void run() {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static byte[] launchBody(long seq) {
        byte[] params = new byte[32];
        params[0] = (byte) seq;
        params[1] = (byte) (seq >> 8);
        return Calls.launch(0x42, 64, 128, 0, params);
    }

    static void appendLaunches(LogWriter w, long from, long to) {
        for (long seq = from; seq <= to; seq++) {
            Calls.append(w, LoggedCall.of(seq, Op.LAUNCH_KERNEL, 0, launchBody(seq)));
        }
    }

    @Test
    void appendsReturnWhileTheWriterThreadIsStuck(@TempDir Path dir) throws Exception {
        StuckDisk disk = new StuckDisk();
        LogWriterConfig config = LogWriterConfig.defaults().withBlockBytes(4 << 10).withBeforeBlockWrite(disk);
        try (LogWriter w = LogWriter.open(dir, 1, config)) {
            appendLaunches(w, 1, 100); // fills a block: the writer thread takes it and gets stuck
            assertTrue(disk.entered.await(30, TimeUnit.SECONDS), "writer thread reached the block write");

            appendLaunches(w, 101, 20_000); // about 2 MiB while the disk does not answer

            WriterStats stats = w.stats();
            assertEquals(1, disk.release.getCount(), "all appends returned while the writer was stuck");
            assertEquals(20_000, stats.callsAppended());
            assertEquals(0, stats.stalls());
            assertEquals(0, stats.callsDropped());
            assertTrue(stats.pendingBytes() > 2_000_000, "pending " + stats.pendingBytes());
            disk.release.countDown();
        }
        try (LogReader r = SessionLog.open(dir).reader()) {
            List<LogEntry> read = r.readAll();
            assertEquals(20_000, read.size());
            assertArrayEquals(launchBody(12_345), ((LoggedCall) read.get(12_344)).body());
        }
    }

    @Test
    void overBudgetWithoutStallingDropsCallsAndLogsThemAsAGap(@TempDir Path dir) throws Exception {
        StuckDisk disk = new StuckDisk();
        LogWriterConfig config = LogWriterConfig.defaults().withBlockBytes(4 << 10).withMaxPendingBytes(1 << 20)
                .withMaxStall(Duration.ZERO).withBeforeBlockWrite(disk);
        long firstDropped;
        try (LogWriter w = LogWriter.open(dir, 1, config)) {
            appendLaunches(w, 1, 100);
            assertTrue(disk.entered.await(30, TimeUnit.SECONDS));
            appendLaunches(w, 101, 30_000); // 3 MiB against a 1 MiB budget
            WriterStats stuck = w.stats();
            assertTrue(stuck.callsDropped() > 15_000, "dropped " + stuck.callsDropped());
            assertEquals(30_000, stuck.callsAppended() + stuck.callsDropped());
            firstDropped = stuck.callsAppended() + 1;

            disk.release.countDown();
            w.flush(); // the backlog drains, so logging resumes
            appendLaunches(w, 30_001, 30_010);
            assertEquals(stuck.callsDropped(), w.stats().callsDropped());
        }
        try (LogReader r = SessionLog.open(dir).reader()) {
            List<LogEntry> read = r.readAll();
            int gapAt = (int) firstDropped - 1;
            assertEquals(gapAt + 1 + 10, read.size());
            LogGap gap = assertInstanceOf(LogGap.class, read.get(gapAt));
            assertEquals(new LogGap(firstDropped, 30_000, 30_000 - firstDropped + 1), gap);
            assertEquals(firstDropped - 1, read.get(gapAt - 1).lastSeq());
            assertEquals(30_001, read.get(gapAt + 1).firstSeq());
        }
    }

    @Test
    void overBudgetWithAStallLimitWaitsForRoomAndCountsTheStall(@TempDir Path dir) throws Exception {
        StuckDisk disk = new StuckDisk();
        LogWriterConfig config = LogWriterConfig.defaults().withBlockBytes(4 << 10).withMaxPendingBytes(1 << 20)
                .withMaxStall(Duration.ofHours(1)).withBeforeBlockWrite(disk);
        try (LogWriter w = LogWriter.open(dir, 1, config)) {
            appendLaunches(w, 1, 100);
            assertTrue(disk.entered.await(30, TimeUnit.SECONDS));
            Thread session = Thread.ofPlatform().start(() -> appendLaunches(w, 101, 30_000));

            await().atMost(Duration.ofSeconds(30)).until(() -> w.stats().stalls() == 1
                    && session.getState() == Thread.State.TIMED_WAITING);
            disk.release.countDown();
            session.join();

            WriterStats stats = w.stats();
            assertEquals(30_000, stats.callsAppended());
            assertEquals(0, stats.callsDropped());
            assertTrue(stats.stalls() >= 1);
        }
        try (LogReader r = SessionLog.open(dir).reader()) {
            assertEquals(30_000, r.readAll().size());
        }
    }

    @Test
    void aWriteFailureSurfacesOnFlushAndLaterCallsAreCountedAsDropped(@TempDir Path dir) throws Exception {
        LogWriterConfig config = LogWriterConfig.defaults().withBeforeBlockWrite(() -> {
            throw new UncheckedIOException(new IOException("No space left on device"));
        });
        LogWriter w = LogWriter.open(dir, 1, config);
        appendLaunches(w, 1, 10);
        IOException e = assertThrows(IOException.class, w::flush);
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        appendLaunches(w, 11, 20);
        assertEquals(10, w.stats().callsDropped());
        assertThrows(IOException.class, w::close);
        assertThrows(IllegalStateException.class, () -> appendLaunches(w, 21, 21));
    }

    @Test
    void aSecondWriterOnTheSameDirectoryIsRefused(@TempDir Path dir) throws Exception {
        try (LogWriter w = LogWriter.open(dir, 1, LogWriterConfig.defaults())) {
            IOException e = assertThrows(IOException.class, () -> LogWriter.open(dir, 1, LogWriterConfig.defaults()));
            assertTrue(e.getMessage().contains("being written"), e.getMessage());
            assertTrue(SessionLog.open(dir).active());
        }
    }

    @Test
    void sequenceNumbersMustGrow(@TempDir Path dir) throws Exception {
        try (LogWriter w = LogWriter.open(dir, 1, LogWriterConfig.defaults())) {
            appendLaunches(w, 5, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> appendLaunches(w, 5, 5));
            assertEquals("seq 5 is not above the last logged seq 5", e.getMessage());
        }
    }
}
