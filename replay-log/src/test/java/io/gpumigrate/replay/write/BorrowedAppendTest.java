package io.gpumigrate.replay.write;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.Calls;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.LogReader;
import io.gpumigrate.replay.read.SessionLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.gpumigrate.replay.read.RoundTripTest.assertSameCall;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link LogWriter#appendBorrowed}: the caller keeps its buffer, and the log holds the bytes as they were. */
class BorrowedAppendTest {

    @Test
    void aBorrowedBodyIsCopiedSoTheCallerMayReuseItsBufferAtOnce(@TempDir Path dir) throws Exception {
        Random r = new Random(3);
        List<LoggedCall> calls = new ArrayList<>();
        ByteBuf reused = Unpooled.directBuffer(256);
        try (LogWriter w = LogWriter.open(dir, 9, LogWriterConfig.defaults().withBlockBytes(4 << 10))) {
            for (int seq = 1; seq <= 2_000; seq++) {
                LoggedCall c = LoggedCall.of(seq, Op.LAUNCH_KERNEL, 0, Calls.launch(0x10, 8, 128, 0, Calls.random(r, 24)));
                calls.add(c);
                reused.clear().writeBytes(c.body());
                w.appendBorrowed(seq, c.opCode(), c.flags(), reused);
                assertEquals(1, reused.refCnt(), "the writer keeps no reference to a copied body");
                reused.setZero(0, reused.capacity()); // the caller's next use of its buffer
            }
        } finally {
            reused.release();
        }
        try (LogReader reader = SessionLog.open(dir).reader()) {
            List<LogEntry> read = reader.readAll();
            assertEquals(calls.size(), read.size());
            for (int i = 0; i < calls.size(); i++) {
                assertSameCall(calls.get(i), read.get(i));
            }
        }
    }

    @Test
    void borrowedPayloadsAreKeptUntilWritten(@TempDir Path dir) throws Exception {
        Random r = new Random(4);
        List<LoggedCall> calls = new ArrayList<>();
        List<ByteBuf> bodies = new ArrayList<>();
        WriterStats stats;
        java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
        LogWriterConfig held = LogWriterConfig.defaults().withBeforeBlockWrite(() -> {
            try {
                writing.await(); // nothing is written until the checks below are done
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (LogWriter w = LogWriter.open(dir, 9, held)) {
            for (int seq = 1; seq <= 6; seq++) {
                LoggedCall c = LoggedCall.of(seq, Op.MEMCPY_HTOD, 0, Calls.htod(0x2000_0000_0000L, 0,
                        Calls.random(r, 1 << 20)));
                calls.add(c);
                ByteBuf body = Unpooled.directBuffer(c.body().length).writeBytes(c.body());
                bodies.add(body);
                w.appendBorrowed(seq, c.opCode(), c.flags(), body);
                assertEquals(2, body.refCnt(), "the writer holds a payload until it is written");
            }
            writing.countDown();
            w.flush();
            stats = w.stats();
        }
        for (ByteBuf body : bodies) {
            assertEquals(1, body.refCnt(), "released by the writer once written");
            body.release();
        }
        assertEquals(6, stats.blobsWritten());
        try (LogReader reader = SessionLog.open(dir).reader()) {
            List<LogEntry> read = reader.readAll();
            assertEquals(calls.size(), read.size());
            for (int i = 0; i < calls.size(); i++) {
                assertSameCall(calls.get(i), read.get(i));
            }
        }
    }
}
