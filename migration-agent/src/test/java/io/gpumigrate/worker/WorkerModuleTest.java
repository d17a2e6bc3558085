package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Op;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Modules, functions, globals and launches through the wire, executed by the emulator's PTX engine. */
class WorkerModuleTest {

    /** {@code CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK}. */
    private static final int MAX_THREADS_PER_BLOCK = 0;

    private WorkerFixture worker;
    private WireTestClient client;
    private long module;

    @BeforeEach
    void start() throws Exception {
        worker = new WorkerFixture(43);
        client = worker.attach();
        byte[] ptx;
        try (InputStream in = getClass().getResourceAsStream("worker_kernels.ptx")) {
            ptx = in.readAllBytes();
        }
        module = client.call(Op.MODULE_LOAD, w -> w.bytes(ptx)).expectSuccess().reader().u64();
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        worker.close();
    }

    private record Function(long handle, int[] offsets, int[] sizes) {
    }

    private Function function(String name) throws Exception {
        BodyReader r = client.call(Op.MODULE_GET_FUNCTION, w -> w.u64(module).str(name)).expectSuccess().reader();
        long handle = r.u64();
        int n = (int) r.u32();
        int[] offsets = new int[n];
        int[] sizes = new int[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = (int) r.u32();
            sizes[i] = (int) r.u32();
        }
        return new Function(handle, offsets, sizes);
    }

    private void launch(long function, int grid, int block, byte[] params) throws IOException {
        client.async(Op.LAUNCH_KERNEL, w -> w.u64(function).u32(grid).u32(1).u32(1).u32(block).u32(1).u32(1)
                .u32(0).u64(0).u32(params.length).bytes(params));
    }

    @Test
    void aKernelLaunchedOverTheWireComputesOnTheDevice() throws Exception {
        Function scale = function("scale");
        assertArrayEquals(new int[] {0, 8, 12}, scale.offsets());
        assertArrayEquals(new int[] {8, 4, 4}, scale.sizes());
        assertEquals(scale.handle(), function("scale").handle(), "the same function has the same handle");

        int n = 1000;
        ByteBuffer data = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            data.putFloat(i * 0.5f);
        }
        long dptr = client.memAlloc(4L * n);
        client.copyHtoD(dptr, data.array());
        byte[] params = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(dptr).putFloat(3f).putInt(n).array();
        launch(scale.handle(), (n + 255) / 256, 256, params);
        ByteBuffer got = ByteBuffer.wrap(client.copyDtoH(dptr, 4L * n)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            assertEquals(i * 1.5f, got.getFloat(4 * i), "element " + i);
        }

        BodyReader global = client.call(Op.MODULE_GET_GLOBAL, w -> w.u64(module).str("launches"))
                .expectSuccess().reader();
        long launches = global.u64();
        assertEquals(4, global.u64());
        assertEquals(1, ByteBuffer.wrap(client.copyDtoH(launches, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt());

        int maxThreads = client.call(Op.FUNC_GET_ATTRIBUTE, w -> w.u64(scale.handle()).i32(MAX_THREADS_PER_BLOCK))
                .expectSuccess().reader().i32();
        assertTrue(maxThreads >= 256, "max threads per block " + maxThreads);
    }

    @Test
    void anIllegalAddressInAKernelIsStickyUntilTheSessionEnds() throws Exception {
        Function writeAt = function("writeAt");
        long dptr = client.memAlloc(64);
        launch(writeAt.handle(), 1, 1, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(dptr).putLong(1L << 36).array());
        WireTestClient.Reply sync = client.synchronize();
        assertEquals(CuResult.ILLEGAL_ADDRESS, sync.status(), sync.message());
        assertEquals(CuResult.ILLEGAL_ADDRESS, client.call(Op.MEM_ALLOC, w -> w.u64(64)).status(),
                "after a sticky error every reply carries it");
        assertEquals(CuResult.ILLEGAL_ADDRESS, client.synchronize().status());
        long callsBefore = worker.session.stats().callsExecuted();
        assertEquals(64, worker.session.stats().deviceMemoryInUse(), "no allocation happened after the error");
        assertEquals(CuResult.ILLEGAL_ADDRESS, client.goodbye().status());
        worker.session.ended().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, worker.session.stats().deviceMemoryInUse(), "GOODBYE still released the session");
        assertEquals(callsBefore + 1, worker.session.stats().callsExecuted());
    }

    @Test
    void unloadingAModuleRetiresItsFunctions() throws Exception {
        Function scale = function("scale");
        assertEquals(CuResult.NOT_FOUND, client.call(Op.MODULE_GET_FUNCTION,
                w -> w.u64(module).str("noSuchKernel")).status());
        assertEquals(CuResult.SUCCESS, client.call(Op.MODULE_UNLOAD, w -> w.u64(module)).status());
        assertEquals(CuResult.INVALID_HANDLE, client.call(Op.FUNC_GET_ATTRIBUTE,
                w -> w.u64(scale.handle()).i32(MAX_THREADS_PER_BLOCK)).status());
        assertEquals(CuResult.INVALID_HANDLE, client.call(Op.MODULE_UNLOAD, w -> w.u64(module)).status());
    }

    @Test
    void aLaunchWithAZeroDimensionIsAnInvalidValueAtTheNextSync() throws Exception {
        Function scale = function("scale");
        client.async(Op.LAUNCH_KERNEL, w -> w.u64(scale.handle()).u32(0).u32(1).u32(1).u32(1).u32(1).u32(1)
                .u32(0).u64(0).u32(16).bytes(new byte[16]));
        WireTestClient.Reply sync = client.synchronize();
        assertEquals(CuResult.INVALID_VALUE, sync.status());
        assertTrue(sync.message().contains("gridX 0"), sync.message());
    }
}
