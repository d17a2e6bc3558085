package io.gpumigrate.worker;

import io.gpumigrate.agent.HostPort;
import io.gpumigrate.agent.migration.ControlConnection;
import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LogGap;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.LogReader;
import io.gpumigrate.replay.read.SessionLog;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session's replay log goes with it when it migrates: the test plays both agents on two
 * in-process workers, then reads the log the target continued.
 */
class LogHandoverTest {

    private static final long SESSION = 77;
    private static final int SIZE = 1 << 20;

    @TempDir
    Path tmp;

    /** A worker as WorkerMain sets it up: its log in {@code dir}, if it can open it. */
    private static WorkerFixture worker(Path dir, boolean record) throws Exception {
        WorkerFixture w = new WorkerFixture(SESSION, new EmulatorBackend(1L << 30));
        w.session.logDirectory(dir);
        if (record) {
            try {
                w.session.observe(ReplayLogRecorder.open(dir, SESSION));
            } catch (java.io.IOException e) {
                // the source has it open: a target sharing its data directory starts without it
            }
        }
        return w;
    }

    /** Runs the session on the source, migrates it, runs more on the target; returns the target's lastApplied. */
    private long migrateAndContinue(WorkerFixture source, WorkerFixture target) throws Exception {
        Random random = new Random(3);
        byte[] data = new byte[SIZE];
        long dptr;
        try (WireTestClient client = source.attach()) {
            dptr = client.memAlloc(SIZE);
            for (int i = 0; i < 3; i++) {
                random.nextBytes(data);
                client.copyHtoD(dptr, data); // large uploads: blobs
            }
            assertArrayEquals(data, client.copyDtoH(dptr, SIZE));
            long lastApplied;
            try (ControlConnection t = ControlConnection.open(new HostPort("127.0.0.1", target.server.port()), 60_000);
                 ControlConnection s = ControlConnection.open(new HostPort("127.0.0.1", source.server.port()), 60_000)) {
                ByteBuf prepared = t.call(Op.RESTORE, w -> w.str(WorkerFixture.SECRET).str("").u64(SIZE));
                int port = prepared.readUnsignedShortLE();
                prepared.release();
                s.call(Op.MIGRATE, w -> w.str(WorkerFixture.SECRET).str("127.0.0.1").u16(port).u64(30_000)).release();
                ByteBuf committed = t.call(Op.MIGRATE, w -> w.str(WorkerFixture.SECRET));
                lastApplied = committed.readLongLE();
                committed.release();
                s.call(Op.MIGRATED, w -> w.u64(SESSION).str("127.0.0.1").u16(target.server.port())
                        .str(WorkerFixture.SECRET)).release();
            }
            assertEquals(client.lastSeq(), lastApplied);
            try (WireTestClient moved = target.attach()) {
                moved.setNextSeq(lastApplied + 1);
                assertArrayEquals(data, moved.copyDtoH(dptr, SIZE));
                moved.copyHtoD(dptr, new byte[] {9, 8, 7});
                assertArrayEquals(new byte[] {9, 8, 7}, moved.copyDtoH(dptr, 3));
                moved.goodbye();
            }
            return lastApplied;
        } finally {
            source.close();
            target.close();
        }
    }

    private static List<LogEntry> read(Path dir) throws Exception {
        try (LogReader r = SessionLog.open(dir).reader(0, Long.MAX_VALUE, true)) {
            return r.readAll();
        }
    }

    /** Calls from seq 1 on, one after another, without a gap; returns the last seq. */
    private static long assertCompleteFromOne(List<LogEntry> entries) {
        long expected = 1;
        for (LogEntry e : entries) {
            LoggedCall c = assertInstanceOf(LoggedCall.class, e, "entry after seq " + (expected - 1));
            assertEquals(expected, c.seq());
            assertTrue(c.status().isEmpty() || c.status().getAsInt() == 0, "status of seq " + c.seq());
            expected++;
        }
        return expected - 1;
    }

    @Test
    void theTargetsLogHoldsEveryCallFromTheFirstWithTheSourcesPartByteForByte() throws Exception {
        Path a = tmp.resolve("node-a/logs/77");
        Path b = tmp.resolve("node-b/logs/77");
        long lastApplied = migrateAndContinue(worker(a, true), worker(b, true));
        List<LogEntry> there = read(b);
        assertEquals(lastApplied + 4, assertCompleteFromOne(there)); // the target applied 4 calls (GOODBYE too)
        List<LogEntry> here = read(a);
        assertEquals(lastApplied, assertCompleteFromOne(here));
        for (int i = 0; i < here.size(); i++) {
            assertArrayEquals(((LoggedCall) here.get(i)).body(), ((LoggedCall) there.get(i)).body(), "seq " + (i + 1));
        }
        try (var files = Files.list(b)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".incoming")), "staging removed");
        }
        assertTrue(Files.isDirectory(b.resolve("blobs")), "the uploads' blobs came along");
    }

    @Test
    void aTargetSharingTheSourcesLogDirectoryContinuesTheSameLog() throws Exception {
        Path shared = tmp.resolve("data/logs/77");
        long lastApplied = migrateAndContinue(worker(shared, true), worker(shared, true));
        assertEquals(lastApplied + 4, assertCompleteFromOne(read(shared)));
    }

    @Test
    void aLogThatDidNotComeAlongIsAGapBeforeTheTargetsFirstCall() throws Exception {
        Path b = tmp.resolve("node-b/logs/77");
        long lastApplied = migrateAndContinue(worker(tmp.resolve("unused"), false), worker(b, true));
        List<LogEntry> there = read(b);
        assertEquals(new LogGap(1, lastApplied, lastApplied), there.getFirst());
        List<Long> seqs = new ArrayList<>();
        there.subList(1, there.size()).forEach(e -> seqs.add(((LoggedCall) e).seq()));
        assertEquals(List.of(lastApplied + 1, lastApplied + 2, lastApplied + 3, lastApplied + 4), seqs);
    }

    @Test
    void aDumpedAndRestoredSessionContinuesItsLogFromTheImage() throws Exception {
        Path a = tmp.resolve("node-a/logs/77");
        Path c = tmp.resolve("node-c/logs/77");
        Path image = tmp.resolve("image");
        WorkerFixture source = worker(a, true);
        byte[] data = new byte[SIZE];
        new Random(4).nextBytes(data);
        long dptr;
        long lastApplied;
        try (WireTestClient client = source.attach()) {
            dptr = client.memAlloc(SIZE);
            client.copyHtoD(dptr, data);
            client.synchronize().expectSuccess(); // the upload is applied before the dump
            lastApplied = client.lastSeq();
            try (ControlConnection s = ControlConnection.open(new HostPort("127.0.0.1", source.server.port()), 60_000)) {
                s.call(Op.DUMP, w -> w.str(WorkerFixture.SECRET).str(image.toString()).u8(0)).release();
            }
        } finally {
            source.close();
        }
        assertTrue(Files.readString(image.resolve("MANIFEST")).contains("\nlog 00000000000000000001.seg "));
        WorkerFixture restored = worker(c, true);
        try {
            try (ControlConnection t = ControlConnection.open(new HostPort("127.0.0.1", restored.server.port()), 60_000)) {
                ByteBuf reply = t.call(Op.RESTORE, w -> w.str(WorkerFixture.SECRET).str(image.toString()).u64(0));
                assertEquals(lastApplied, reply.readLongLE());
                reply.release();
            }
            try (WireTestClient client = restored.attach()) {
                client.setNextSeq(lastApplied + 1);
                assertArrayEquals(data, client.copyDtoH(dptr, SIZE));
                client.goodbye();
            }
        } finally {
            restored.close();
        }
        assertEquals(lastApplied + 2, assertCompleteFromOne(read(c)));
    }
}
