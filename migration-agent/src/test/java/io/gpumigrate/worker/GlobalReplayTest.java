package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.SessionLog;
import io.gpumigrate.worker.replay.Allocation;
import io.gpumigrate.worker.replay.DeviceMemoryReader;
import io.gpumigrate.worker.replay.LogReplayer;
import io.gpumigrate.worker.replay.ModuleGlobal;
import io.gpumigrate.worker.replay.ReplayComparison;
import io.gpumigrate.worker.replay.ReplayedCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import static io.gpumigrate.worker.GlobalRelocationTest.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A log recorded on a device that places module globals in one place replays on a device that
 * places them in another, with every status and every logged address reproduced: the log holds
 * the address each global was given to the client, and the replay shows it there again.
 */
class GlobalReplayTest {

    private static final int N = 64;

    @TempDir
    Path dir;

    private long table;
    private long launches;

    /** Records the globals workload on a device placing globals from {@code globalsBase}; returns the table read back. */
    private byte[] record(Path log, long globalsBase) throws Exception {
        try (WorkerFixture worker = new WorkerFixture(93, GlobalRelocationTest.emulator(globalsBase))) {
            worker.session.observe(ReplayLogRecorder.open(log, 93));
            WireTestClient client = worker.attach();
            byte[] ptx = GlobalRelocationTest.kernels();
            long module = client.call(Op.MODULE_LOAD, w -> w.bytes(ptx)).expectSuccess().reader().u64();
            long scale = client.call(Op.MODULE_GET_FUNCTION, w -> w.u64(module).str("scale")).expectSuccess().reader().u64();
            table = client.call(Op.MODULE_GET_GLOBAL, w -> w.u64(module).str("table")).expectSuccess().reader().u64();
            launches = client.call(Op.MODULE_GET_GLOBAL, w -> w.u64(module).str("launches")).expectSuccess().reader().u64();
            client.copyHtoD(table, floats(1f));
            byte[] p = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(table).putFloat(4f).putInt(N).array();
            client.send(Op.LAUNCH_KERNEL, false, w -> w.u64(scale).u32(1).u32(1).u32(1).u32(N).u32(1).u32(1).u32(0)
                    .u64(0).u32(p.length).bytes(p));
            long copy = client.memAlloc(4 * N);
            assertEquals(CuResult.SUCCESS, client.call(Op.MEMCPY_DTOD, w -> w.u64(copy).u64(table).u64(4 * N).u64(0)).status());
            assertEquals(CuResult.SUCCESS, client.synchronize().status());
            byte[] readBack = client.copyDtoH(table, 4 * N);
            client.goodbye();
            client.close();
            worker.session.ended().join();
            return readBack;
        }
    }

    @Test
    void theLogHoldsTheAddressEachGlobalWasGiven() throws Exception {
        record(dir, GlobalRelocationTest.ELSEWHERE);
        List<Long> given = new java.util.ArrayList<>();
        try (var reader = SessionLog.open(dir).reader()) {
            for (LogEntry e = reader.next(); e != null; e = reader.next()) {
                LoggedCall call = (LoggedCall) e;
                if (call.op() == Op.MODULE_GET_GLOBAL) {
                    given.add(ByteBuffer.wrap(call.results()).order(ByteOrder.LITTLE_ENDIAN).getLong());
                }
            }
        }
        assertEquals(List.of(table, launches), given);
    }

    @Test
    void aLogReplaysOnADevicePlacingGlobalsElsewhereWithEveryStatusAndAddressReproduced() throws Exception {
        byte[] readBack = record(dir, GlobalRelocationTest.ELSEWHERE);
        assertArrayEquals(floats(4f), readBack, "the recorded run scaled the global");
        try (LogReplayer replayer = new LogReplayer(SessionLog.open(dir), new EmulatorBackend(1L << 30, 2,
                DeviceAddressSpace.GLOBALS_BASE), Long.MAX_VALUE)) {
            int calls = 0;
            for (ReplayedCall c = replayer.next(); c != null; c = replayer.next()) {
                assertFalse(c.diverged(), c.call() + ": " + c.statusComparison());
                assertFalse(c.failed(), c.call() + ": " + c.outcome().message());
                calls++;
            }
            assertTrue(calls >= 10, calls + " calls replayed");
            List<ModuleGlobal> globals = replayer.allocations().globals();
            assertEquals(List.of(table, launches), globals.stream().map(ModuleGlobal::base).toList(),
                    "the replay shows each global at the address the recorded client was given");
            Allocation t = replayer.resolve("0x" + Long.toHexString(table + 4));
            assertEquals(table, t.base());
            ByteArrayOutputStream dumped = new ByteArrayOutputStream();
            DeviceMemoryReader.dump(replayer.backend(), t, dumped);
            assertArrayEquals(readBack, dumped.toByteArray(), "the dump of the global holds what the client read");
            ByteArrayOutputStream copied = new ByteArrayOutputStream();
            DeviceMemoryReader.dump(replayer.backend(), replayer.allocations().find("#1"), copied);
            assertArrayEquals(readBack, copied.toByteArray(), "the device-to-device copy read the global");
        }
    }

    @Test
    void compareAgreesAcrossDevicesThatPlaceGlobalsDifferently() throws Exception {
        record(dir, DeviceAddressSpace.GLOBALS_BASE);
        ReplayComparison.Result r = ReplayComparison.run(SessionLog.open(dir),
                GlobalRelocationTest.emulator(DeviceAddressSpace.GLOBALS_BASE),
                GlobalRelocationTest.emulator(GlobalRelocationTest.ELSEWHERE), Long.MAX_VALUE);
        assertTrue(r.agree(), r.toString());
        assertTrue(r.comparisons() >= 4, "memory compared after the lookups, the upload, the launch and the copy: " + r);
    }
}
