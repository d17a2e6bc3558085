package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A client caches the addresses of module globals, then its session is checkpointed and restored
 * onto devices that place globals elsewhere (as a GPU in another process does): the cached
 * addresses keep working for copies, memsets, address-range queries and kernel pointer arguments.
 */
class GlobalRelocationTest {

    static final long ELSEWHERE = DeviceAddressSpace.GLOBALS_BASE + (1L << 30);
    static final long FARTHER = DeviceAddressSpace.GLOBALS_BASE + (2L << 30);
    private static final int N = 64;
    private static final long ID = 91;

    @TempDir
    Path dir;

    private WorkerFixture worker;
    private WireTestClient client;
    private long scale;
    private long readTable;
    private long table;
    private long launches;
    private long out;

    static EmulatorBackend emulator(long globalsBase) {
        return new EmulatorBackend(1L << 30, 2, globalsBase);
    }

    static byte[] kernels() throws Exception {
        try (InputStream in = GlobalRelocationTest.class.getResourceAsStream("globals_kernels.ptx")) {
            return in.readAllBytes();
        }
    }

    @Test
    void cachedGlobalAddressesWorkAfterRestoresOntoDevicesThatPlaceGlobalsElsewhere() throws Exception {
        worker = new WorkerFixture(ID, emulator(DeviceAddressSpace.GLOBALS_BASE));
        client = worker.attach();
        byte[] ptx = kernels();
        long module = client.call(Op.MODULE_LOAD, w -> w.bytes(ptx)).expectSuccess().reader().u64();
        scale = function(module, "scale");
        readTable = function(module, "read_table");
        BodyReader t = client.call(Op.MODULE_GET_GLOBAL, w -> w.u64(module).str("table")).expectSuccess().reader();
        table = t.u64();
        assertEquals(4 * N, t.u64());
        launches = client.call(Op.MODULE_GET_GLOBAL, w -> w.u64(module).str("launches")).expectSuccess().reader().u64();
        out = client.memAlloc(4 * N);
        client.copyHtoD(table, floats(1f));
        launchScale(2f);
        assertArrayEquals(floats(2f), client.copyDtoH(table, 4 * N));

        moveTo(ELSEWHERE, "first");
        assertEquals(2, worker.session.onExecutor(() -> worker.session.globals().movedCount()).get(),
                "both globals lie elsewhere on the new device");
        long actual = worker.session.onExecutor(() -> worker.session.globals().actual(table)).get();
        assertNotEquals(table, actual);
        byte[] there = new byte[4 * N];
        worker.session.onExecutor(() -> {
            worker.session.device().copyDtoH(MemorySegment.ofArray(there), actual, null);
            return null;
        }).get();
        assertArrayEquals(floats(2f), there, "the contents were written where the global lies now");
        assertEquals(table, client.call(Op.MODULE_GET_GLOBAL, w -> w.u64(module).str("table")).expectSuccess()
                .reader().u64(), "a new lookup answers the address the client cached");

        assertArrayEquals(floats(2f), client.copyDtoH(table, 4 * N), "a copy from the cached address");
        launchScale(3f);
        assertArrayEquals(floats(6f), readTableThroughKernel(), "the kernel scaled the global through its pointer");
        assertEquals(2, ByteBuffer.wrap(client.copyDtoH(launches, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt());
        BodyReader range = client.call(Op.MEM_GET_ADDRESS_RANGE, w -> w.u64(table + 8)).expectSuccess().reader();
        assertEquals(table, range.u64());
        assertEquals(4 * N, range.u64());

        moveTo(FARTHER, "second");
        assertArrayEquals(floats(6f), client.copyDtoH(table, 4 * N), "the mapping survives a second move");
        assertEquals(CuResult.SUCCESS, client.call(Op.MEMSET, w -> w.u64(table).u32(0).u32(4).u64(N / 2).u64(0)).status());
        assertEquals(CuResult.SUCCESS, client.call(Op.MEMCPY_DTOD, w -> w.u64(out).u64(table).u64(4 * N).u64(0)).status());
        byte[] expected = floats(6f);
        java.util.Arrays.fill(expected, 0, 2 * N, (byte) 0);
        assertArrayEquals(expected, client.copyDtoH(out, 4 * N), "memset at and copy from the cached address");
        launchScale(0.5f);
        assertEquals(3, ByteBuffer.wrap(client.copyDtoH(launches, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt());
        client.goodbye();
        client.close();
        worker.close();
    }

    private long function(long module, String name) throws Exception {
        return client.call(Op.MODULE_GET_FUNCTION, w -> w.u64(module).str(name)).expectSuccess().reader().u64();
    }

    private void launchScale(float factor) throws Exception {
        byte[] p = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(table).putFloat(factor).putInt(N).array();
        client.send(Op.LAUNCH_KERNEL, false, w -> w.u64(scale).u32(1).u32(1).u32(1).u32(N).u32(1).u32(1).u32(0).u64(0)
                .u32(p.length).bytes(p));
        assertEquals(CuResult.SUCCESS, client.synchronize().status());
    }

    private byte[] readTableThroughKernel() throws Exception {
        byte[] p = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(out).putInt(N).array();
        client.send(Op.LAUNCH_KERNEL, false, w -> w.u64(readTable).u32(1).u32(1).u32(1).u32(N).u32(1).u32(1).u32(0)
                .u64(0).u32(p.length).bytes(p));
        assertEquals(CuResult.SUCCESS, client.synchronize().status());
        return client.copyDtoH(out, 4 * N);
    }

    /** Checkpoints the session, ends it, restores it on a device placing globals from {@code globalsBase}, reattaches. */
    private void moveTo(long globalsBase, String name) throws Exception {
        WorkerFixture.Moved moved = worker.moveThroughCheckpoint(client, dir.resolve(name), emulator(globalsBase));
        worker = moved.worker();
        client = moved.client();
    }

    static byte[] floats(float factor) {
        ByteBuffer b = ByteBuffer.allocate(4 * N).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < N; i++) {
            b.putFloat((i + 1) * factor);
        }
        return b.array();
    }
}
