package io.gpumigrate.replay.read;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.Calls;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.write.LogWriter;
import io.gpumigrate.replay.write.LogWriterConfig;
import io.gpumigrate.replay.write.WriterStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class RoundTripTest {

    public static final LogWriterConfig SMALL = LogWriterConfig.defaults().withSegmentBytes(64 << 10).withBlockBytes(4 << 10);

    /** A mixed session: launches, small and large uploads, allocations, a few statuses. */
    public static List<LoggedCall> session(int n, long seed) {
        Random r = new Random(seed);
        List<LoggedCall> calls = new ArrayList<>();
        long seq = 0;
        for (int i = 0; i < n; i++) {
            seq += 1 + (i % 97 == 0 ? 3 : 0); // sequence numbers may skip
            LoggedCall c = switch (i % 10) {
                case 0 -> LoggedCall.of(seq, Op.MEM_ALLOC, Calls.flagsFor(Op.MEM_ALLOC), Calls.memAlloc(1L << (i % 30)))
                        .withStatus(i % 20 == 0 ? 2 : 0);
                case 1 -> LoggedCall.of(seq, Op.MEMCPY_HTOD, 0, Calls.htod(0x2000_0000_0000L + i, 0,
                        Calls.random(r, 100)));
                case 2 -> LoggedCall.of(seq, Op.MEMCPY_HTOD, 0, Calls.htod(0x2000_0000_0000L, 7,
                        Calls.random(new Random(i % 3), 5000))); // three distinct payloads, repeated
                default -> LoggedCall.of(seq, Op.LAUNCH_KERNEL, 0, Calls.launch(0x10 + i % 4, 128, 256, 0,
                        Calls.random(r, 32)));
            };
            calls.add(c);
        }
        return calls;
    }

    public static void assertSameCall(LoggedCall expected, LogEntry actualEntry) {
        LoggedCall actual = assertInstanceOf(LoggedCall.class, actualEntry);
        assertEquals(expected.seq(), actual.seq());
        assertEquals(expected.opCode(), actual.opCode(), "op of seq " + expected.seq());
        assertEquals(expected.flags(), actual.flags(), "flags of seq " + expected.seq());
        assertArrayEquals(expected.body(), actual.body(), "body of seq " + expected.seq());
        assertEquals(expected.status(), actual.status(), "status of seq " + expected.seq());
    }

    public static void write(Path dir, List<LoggedCall> calls, LogWriterConfig config) throws Exception {
        try (LogWriter w = LogWriter.open(dir, 42, config)) {
            for (LoggedCall c : calls) {
                Calls.append(w, c);
            }
        }
    }

    @Test
    void manyCallsAcrossSeveralSegmentsReadBackExactly(@TempDir Path dir) throws Exception {
        List<LoggedCall> calls = session(20_000, 1);
        WriterStats stats;
        try (LogWriter w = LogWriter.open(dir, 42, SMALL)) {
            for (LoggedCall c : calls) {
                Calls.append(w, c);
            }
            w.flush();
            stats = w.stats();
        }
        assertEquals(20_000, stats.callsAppended());
        assertEquals(0, stats.callsDropped());
        assertEquals(3, stats.blobsWritten(), "three distinct 5000-byte payloads");

        SessionLog log = SessionLog.open(dir);
        assertFalse(log.recovery().truncated());
        assertTrue(log.segments().size() > 3, "segments: " + log.segments().size());
        assertEquals(42, log.sessionId());
        try (LogReader r = log.reader()) {
            List<LogEntry> read = r.readAll();
            assertEquals(calls.size(), read.size());
            for (int i = 0; i < calls.size(); i++) {
                assertSameCall(calls.get(i), read.get(i));
            }
        }
    }

    @Test
    void fromAndLimitSelectARangeOfSequenceNumbers(@TempDir Path dir) throws Exception {
        List<LoggedCall> calls = session(5_000, 2);
        write(dir, calls, SMALL);
        SessionLog log = SessionLog.open(dir);
        int start = 3_333;
        long from = calls.get(start).seq();
        try (LogReader r = log.reader(from, 25, true)) {
            List<LogEntry> read = r.readAll();
            assertEquals(25, read.size());
            for (int i = 0; i < 25; i++) {
                assertSameCall(calls.get(start + i), read.get(i));
            }
        }
        // A sequence number that was skipped starts at the next one logged.
        long skipped = calls.get(97).seq() - 1;
        try (LogReader r = log.reader(skipped, 1, true)) {
            assertEquals(calls.get(97).seq(), r.next().firstSeq());
            assertNull(r.next());
        }
        try (LogReader r = log.reader(calls.getLast().seq() + 1, 10, true)) {
            assertNull(r.next());
        }
    }

    @Test
    void statusLoggedAfterItsCallIsAttachedToIt(@TempDir Path dir) throws Exception {
        try (LogWriter w = LogWriter.open(dir, 7, SMALL)) {
            for (int seq = 1; seq <= 3_000; seq++) {
                Calls.append(w, LoggedCall.of(seq, Op.STREAM_SYNCHRONIZE, 1, new byte[8]));
                w.appendStatus(seq, seq % 600 == 0 ? 700 : 0);
            }
        }
        try (LogReader r = SessionLog.open(dir).reader()) {
            List<LogEntry> read = r.readAll();
            assertEquals(3_000, read.size());
            for (LogEntry e : read) {
                LoggedCall c = (LoggedCall) e;
                assertEquals(OptionalInt.of(c.seq() % 600 == 0 ? 700 : 0), c.status(), "seq " + c.seq());
            }
        }
    }

    @Test
    void aResumedLogCarriesOnAfterItsLastSequenceNumber(@TempDir Path dir) throws Exception {
        List<LoggedCall> calls = session(3_000, 3);
        write(dir, calls.subList(0, 1_000), SMALL);
        try (LogWriter w = LogWriter.open(dir, 42, SMALL)) {
            assertEquals(calls.get(999).seq(), w.lastSeq());
            for (LoggedCall c : calls.subList(1_000, 3_000)) {
                Calls.append(w, c);
            }
        }
        try (LogReader r = SessionLog.open(dir).reader()) {
            List<LogEntry> read = r.readAll();
            assertEquals(calls.size(), read.size());
            for (int i = 0; i < calls.size(); i++) {
                assertSameCall(calls.get(i), read.get(i));
            }
        }
    }

    @Test
    void aStatusSpillingIntoTheNextSegmentStaysWithItsCall(@TempDir Path dir) throws Exception {
        byte[] image = Calls.random(new Random(6), 70 << 10); // one block fills a whole segment
        LoggedCall load = LoggedCall.of(1, Op.MODULE_LOAD, 1, image);
        LoggedCall getFunction = LoggedCall.of(2, Op.MODULE_GET_FUNCTION, 1, Calls.moduleGetFunction(1, "k"));
        try (LogWriter w = LogWriter.open(dir, 5, SMALL)) {
            Calls.append(w, load);
            w.appendStatus(1, 0);
            Calls.append(w, getFunction);
            w.appendStatus(2, 500);
        }
        SessionLog log = SessionLog.open(dir);
        assertEquals(2, log.segments().size());
        for (long from : new long[]{0, 1, 2}) {
            try (LogReader r = log.reader(from, 10, true)) {
                List<LogEntry> read = r.readAll();
                assertEquals(3 - (int) Math.max(from, 1), read.size(), "from " + from);
                if (from <= 1) {
                    assertSameCall(load.withStatus(0), read.getFirst());
                }
                assertSameCall(getFunction.withStatus(500), read.getLast());
            }
        }
    }
}
