package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.SessionLog;
import io.gpumigrate.worker.replay.Allocation;
import io.gpumigrate.worker.replay.DeviceMemoryReader;
import io.gpumigrate.worker.replay.LogReplayer;
import io.gpumigrate.worker.replay.MemoryCheck;
import io.gpumigrate.worker.replay.ReplayComparison;
import io.gpumigrate.worker.replay.ReplayedCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A session recorded by its worker, then replayed, checked and compared without the client. */
class RecordAndReplayTest {

    private static final int N = 3000;

    @TempDir
    Path dir;

    /** The device addresses the recorded session got for a, b and c. */
    private final long[] recorded = new long[3];

    /** Records c = a + b; returns what the client read back. */
    private byte[] recordAdd(Path log) throws Exception {
        try (RecordedSession s = new RecordedSession(71, log)) {
            ByteBuffer a = RecordedSession.params(4 * N);
            ByteBuffer b = RecordedSession.params(4 * N);
            for (int i = 0; i < N; i++) {
                a.putFloat(i * 0.25f);
                b.putFloat(1f / (i + 1));
            }
            long add = s.function("add");
            long da = s.client.memAlloc(4L * N);
            long db = s.client.memAlloc(4L * N);
            long dc = s.client.memAlloc(4L * N);
            recorded[0] = da;
            recorded[1] = db;
            recorded[2] = dc;
            s.client.copyHtoD(da, a.array());
            s.client.copyHtoD(db, b.array());
            s.launch(add, (N + 127) / 128, 128, RecordedSession.params(28).putLong(da).putLong(db).putLong(dc).putInt(N));
            byte[] c = s.client.copyDtoH(dc, 4L * N);
            assertEquals(CuResult.SUCCESS, s.client.call(Op.MEM_FREE, w -> w.u64(da)).status());
            return c;
        }
    }

    @Test
    void everyAppliedCallIsRecordedWithTheStatusOfItsReply() throws Exception {
        recordAdd(dir);
        List<Op> ops = new ArrayList<>();
        List<Long> addresses = new ArrayList<>();
        try (var reader = SessionLog.open(dir).reader()) {
            for (LogEntry e = reader.next(); e != null; e = reader.next()) {
                LoggedCall call = (LoggedCall) e;
                ops.add(call.op());
                assertEquals(call.op().kind() != Op.Kind.ASYNC, call.status().isPresent(), call.toString());
                if (call.op() == Op.MEM_ALLOC) {
                    addresses.add(ByteBuffer.wrap(call.results()).order(ByteOrder.LITTLE_ENDIAN).getLong());
                } else {
                    assertEquals(0, call.results().length, "only allocations log their results");
                }
            }
        }
        assertEquals(List.of(Op.MODULE_LOAD, Op.MODULE_GET_FUNCTION, Op.MEM_ALLOC, Op.MEM_ALLOC, Op.MEM_ALLOC,
                Op.MEMCPY_HTOD, Op.MEMCPY_HTOD, Op.LAUNCH_KERNEL, Op.MEMCPY_DTOH, Op.MEM_FREE, Op.GOODBYE), ops);
        assertEquals(List.of(recorded[0], recorded[1], recorded[2]), addresses, "each allocation's address is logged");
    }

    @Test
    void replayReproducesTheResultTheClientReadBackAtTheSameAddresses() throws Exception {
        byte[] readBack = recordAdd(dir);
        try (LogReplayer replayer = new LogReplayer(SessionLog.open(dir), new EmulatorBackend(), 9)) {
            for (ReplayedCall c = replayer.next(); c != null; c = replayer.next()) {
                assertFalse(c.diverged(), c.call() + " " + c.statusComparison());
            }
            assertEquals(9, replayer.lastSeq());
            List<Allocation> all = replayer.allocations().all();
            for (int i = 0; i < 3; i++) {
                assertEquals(recorded[i], all.get(i).base(), "allocation #" + (i + 1) + " is where the recording had it");
            }
            Allocation c = replayer.allocations().find("#3");
            assertEquals(c, replayer.allocations().find("0x" + Long.toHexString(c.base() + 8)));
            ByteArrayOutputStream dumped = new ByteArrayOutputStream();
            DeviceMemoryReader.dump(replayer.backend(), c, dumped);
            assertArrayEquals(readBack, dumped.toByteArray());
            float first = ByteBuffer.wrap(readBack).order(ByteOrder.LITTLE_ENDIAN).getFloat(4);
            assertEquals(0.25f + 0.5f, first, "the read-back result is the sum, so the comparison above means something");
        }
    }

    @Test
    void theCheckerFindsAPlantedOutOfBoundsWriteWithItsSequenceNumber() throws Exception {
        long launchSeq;
        long out;
        try (RecordedSession s = new RecordedSession(72, dir)) {
            long writeAt = s.function("write_at");
            out = s.client.memAlloc(256);
            launchSeq = s.launch(writeAt, 1, 1, RecordedSession.params(16).putLong(out).putLong(64 + 200));
            assertEquals(CuResult.ILLEGAL_ADDRESS, s.client.synchronize().status(), "the original run fails");
        }
        MemoryCheck.Finding f = MemoryCheck.run(SessionLog.open(dir), Long.MAX_VALUE);
        assertTrue(f.found());
        assertEquals(launchSeq, f.call().seq());
        assertEquals(CuResult.ILLEGAL_ADDRESS, f.status());
        String at = "at 0x" + Long.toHexString(out + 4 * (64 + 200));
        for (String part : List.of("kernel write_at", "thread (0,0,0)", "PTX line", at)) {
            assertTrue(f.detail().contains(part), part + " missing in: " + f.detail());
        }
        assertFalse(MemoryCheck.run(SessionLog.open(dir), launchSeq - 1).found(), "nothing before the launch");
    }

    @Test
    void compareAgreesOnADeterministicLogAndFindsAClockStamp() throws Exception {
        recordAdd(dir.resolve("add"));
        ReplayComparison.Result same = ReplayComparison.run(SessionLog.open(dir.resolve("add")),
                new EmulatorBackend(), new EmulatorBackend(), Long.MAX_VALUE);
        assertTrue(same.agree(), same.toString());
        assertEquals(3, same.comparisons(), "after the two copies and the launch, and nothing else");

        long stampSeq;
        try (RecordedSession s = new RecordedSession(73, dir.resolve("clock"))) {
            long add = s.function("add");
            long stamp = s.function("stamp");
            long x = s.client.memAlloc(4 * 64);
            s.launch(add, 1, 64, RecordedSession.params(28).putLong(x).putLong(x).putLong(x).putInt(64));
            long out = s.client.memAlloc(8 * 64);
            stampSeq = s.launch(stamp, 1, 64, RecordedSession.params(12).putLong(out).putInt(64));
            assertEquals(CuResult.SUCCESS, s.client.synchronize().status());
        }
        ReplayComparison.Result differ = ReplayComparison.run(SessionLog.open(dir.resolve("clock")),
                new EmulatorBackend(), new EmulatorBackend(), Long.MAX_VALUE);
        assertFalse(differ.agree());
        assertEquals(stampSeq, differ.call().seq());
        assertTrue(differ.what().contains("#2 at 0x"), differ.what());
        assertNull(ReplayComparison.run(SessionLog.open(dir.resolve("clock")), new EmulatorBackend(),
                new EmulatorBackend(), stampSeq - 1).call(), "they agree before the stamp");
    }

    @Test
    void compareFindsAClockStampInAModuleGlobalAndNamesTheGlobal() throws Exception {
        long stampSeq;
        try (RecordedSession s = new RecordedSession(75, dir)) {
            long stampGlobal = s.function("stamp_global");
            long lookup = s.client.call(Op.MODULE_GET_GLOBAL, w -> w.u64(s.module).str("last_stamp")).expectSuccess()
                    .reader().u64();
            stampSeq = s.launch(stampGlobal, 1, 1, RecordedSession.params(0));
            assertEquals(CuResult.SUCCESS, s.client.synchronize().status());
            assertTrue(lookup != 0);
        }
        ReplayComparison.Result differ = ReplayComparison.run(SessionLog.open(dir), new EmulatorBackend(),
                new EmulatorBackend(), Long.MAX_VALUE);
        assertFalse(differ.agree(), "the stamp lands in a global, which the comparison must hash");
        assertEquals(stampSeq, differ.call().seq());
        assertTrue(differ.what().contains("global 'last_stamp'"), differ.what());
        assertTrue(ReplayComparison.run(SessionLog.open(dir), new EmulatorBackend(), new EmulatorBackend(),
                stampSeq - 1).agree(), "they agree before the stamp");
    }

    @Test
    void aModuleGlobalCanBeFoundByItsAddressAfterTheReplay() throws Exception {
        long global;
        byte[] readBack;
        try (RecordedSession s = new RecordedSession(74, dir)) {
            byte[] ptx;
            try (var in = RecordAndReplayTest.class.getResourceAsStream("worker_kernels.ptx")) {
                ptx = in.readAllBytes();
            }
            long module = s.client.call(Op.MODULE_LOAD, w -> w.bytes(ptx)).expectSuccess().reader().u64();
            long scale = s.client.call(Op.MODULE_GET_FUNCTION, w -> w.u64(module).str("scale")).expectSuccess()
                    .reader().u64();
            long data = s.client.memAlloc(64);
            for (int i = 0; i < 3; i++) {
                s.launch(scale, 1, 16, RecordedSession.params(16).putLong(data).putFloat(2f).putInt(16));
            }
            global = s.client.call(Op.MODULE_GET_GLOBAL, w -> w.u64(module).str("launches")).expectSuccess().reader().u64();
            readBack = s.client.copyDtoH(global, 4);
        }
        assertEquals(3, ByteBuffer.wrap(readBack).order(ByteOrder.LITTLE_ENDIAN).getInt());
        try (LogReplayer replayer = new LogReplayer(SessionLog.open(dir), new EmulatorBackend(), Long.MAX_VALUE)) {
            while (replayer.next() != null) {
                // replay everything
            }
            Allocation a = replayer.resolve("0x" + Long.toHexString(global));
            assertEquals(0, a.ordinal(), a.toString());
            assertEquals(global, a.base());
            ByteArrayOutputStream dumped = new ByteArrayOutputStream();
            DeviceMemoryReader.dump(replayer.backend(), a, dumped);
            assertArrayEquals(readBack, dumped.toByteArray());
        }
    }
}
