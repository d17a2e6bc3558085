package io.gpumigrate.ptx;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.LaunchConfig;
import io.gpumigrate.device.emulator.EmulatorBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Module images the emulator accepts (PTX, fat binaries with PTX) and refuses, and the calls in {@code calls.cu}. */
class ModuleLoadingTest {

    private final EmulatorBackend backend = new EmulatorBackend(1L << 30, 2);
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        backend.close();
        arena.close();
    }

    @Test
    void recursionAndFunctionPointersFromPtx() throws Exception {
        checkCalls(backend.loadModule(KernelHarness.resource("calls.ptx")));
    }

    @Test
    void fatBinaryWithCompressedPtxLoads() throws Exception {
        byte[] fatbin = KernelHarness.resource("calls.fatbin");
        assertTrue(FatbinReader.isFatbin(fatbin));
        assertTrue(FatbinReader.ptxEntries(fatbin).get(0).text().contains(".entry recurse"));
        checkCalls(backend.loadModule(fatbin));
    }

    private void checkCalls(DeviceModule m) throws CudaException {
        int threads = 64;
        long out = backend.memAlloc(4L * threads);
        MemorySegment params = arena.allocate(8);
        params.set(ValueLayout.JAVA_LONG, 0, out);
        backend.launch(backend.function(m, "recurse"), new LaunchConfig(1, 1, 1, threads, 1, 1, 0), params, null);
        MemorySegment got = arena.allocate(4L * threads);
        backend.copyDtoH(got, out, null);
        for (int t = 0; t < threads; t++) {
            int want = fib(t % 12) + ((t & 1) == 0 ? 2 * t : t * t);
            assertEquals(want, got.getAtIndex(ValueLayout.JAVA_INT, t), "thread " + t);
        }
    }

    private static int fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    @Test
    void cubinOnlyImagesAreRefusedWithAHint() throws Exception {
        CudaException e = assertThrows(CudaException.class,
                () -> backend.loadModule(KernelHarness.resource("calls_cubin_only.fatbin")));
        assertEquals(CuResult.NO_BINARY_FOR_GPU, e.result());
        assertTrue(e.getMessage().contains("compute_90"), e.getMessage());
        byte[] elf = {0x7F, 'E', 'L', 'F', 2, 1, 1, 0x41, 0, 0, 0, 0};
        assertEquals(CuResult.NO_BINARY_FOR_GPU, assertThrows(CudaException.class, () -> backend.loadModule(elf)).result());
    }

    @Test
    void unsupportedInstructionFailsTheLoadNamingItAndItsLine() {
        String ptx = """
                .version 9.0
                .target sm_90
                .address_size 64
                .visible .entry k(.param .u64 p)
                {
                \t.reg .b32 %r<4>;
                \ttex.1d.v4.s32.s32 {%r0, %r1, %r2, %r3}, [t, {%r0}];
                \tret;
                }
                """;
        CudaException e = assertThrows(CudaException.class,
                () -> backend.loadModule(ptx.getBytes(StandardCharsets.UTF_8)));
        assertEquals(CuResult.INVALID_PTX, e.result());
        assertTrue(e.getMessage().contains("line 7") && e.getMessage().contains("tex.1d.v4.s32.s32"), e.getMessage());
    }

    @Test
    void syntaxErrorsNameTheLine() {
        String ptx = ".version 9.0\n.target sm_90\n.address_size 64\n.visible .entry k()\n{\n\tadd.s32 %r1 %r2;\n}\n";
        CudaException e = assertThrows(CudaException.class,
                () -> backend.loadModule(ptx.getBytes(StandardCharsets.UTF_8)));
        assertEquals(CuResult.INVALID_PTX, e.result());
        assertTrue(e.getMessage().contains("line 6"), e.getMessage());
    }

    @Test
    void functionPointerTableIsInitializedInDeviceMemory() throws Exception {
        DeviceModule m = backend.loadModule(KernelHarness.resource("calls.ptx"));
        var table = backend.global(m, "table");
        assertEquals(16, table.size());
        MemorySegment got = arena.allocate(16);
        backend.copyDtoH(got, table.base(), null);
        long first = got.get(ValueLayout.JAVA_LONG, 0);
        long second = got.get(ValueLayout.JAVA_LONG, 8);
        assertTrue(first != 0 && second != 0 && first != second, "two distinct function addresses");
    }
}
