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

    @Test
    void ptxFromLlvmsNvptxBackEndRuns() throws Exception {
        DeviceModule m = backend.loadModule(KernelHarness.resource("llvm_saxpy.ptx"));
        int n = 300;
        MemorySegment x = arena.allocate(4L * n);
        MemorySegment y = arena.allocate(4L * n);
        for (int i = 0; i < n; i++) {
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, i);
            y.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1000 - i);
        }
        long dx = backend.memAlloc(4L * n);
        long dy = backend.memAlloc(4L * n);
        backend.copyHtoD(dx, x, null);
        backend.copyHtoD(dy, y, null);
        MemorySegment params = arena.allocate(32, 8);
        params.set(ValueLayout.JAVA_FLOAT, 0, 2.5f);
        params.set(ValueLayout.JAVA_LONG, 8, dx);
        params.set(ValueLayout.JAVA_LONG, 16, dy);
        params.set(ValueLayout.JAVA_INT, 24, n);
        backend.launch(backend.function(m, "saxpy"), new LaunchConfig(3, 1, 1, 128, 1, 1, 0), params, null);
        backend.copyDtoH(y, dy, null);
        for (int i = 0; i < n; i++) {
            assertEquals(2.5f * i + (1000 - i), y.getAtIndex(ValueLayout.JAVA_FLOAT, i), "y[" + i + "]");
        }

        long in = backend.memAlloc(4 * 128);
        long out = backend.memAlloc(4);
        MemorySegment values = arena.allocate(4 * 128);
        int want = 0;
        for (int i = 0; i < 128; i++) {
            values.setAtIndex(ValueLayout.JAVA_INT, i, i * i - 50);
            want += i * i - 50;
        }
        backend.copyHtoD(in, values, null);
        MemorySegment sumParams = arena.allocate(16, 8);
        sumParams.set(ValueLayout.JAVA_LONG, 0, in);
        sumParams.set(ValueLayout.JAVA_LONG, 8, out);
        backend.launch(backend.function(m, "blockSum"), new LaunchConfig(1, 1, 1, 128, 1, 1, 0), sumParams, null);
        MemorySegment got = arena.allocate(4);
        backend.copyDtoH(got, out, null);
        assertEquals(want, got.get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void labelsInsideBracesAreLocalToTheirBlock() throws Exception {
        // two inline-asm blocks that both use the label "again", as nvcc leaves them
        String ptx = """
                .version 9.0
                .target sm_90
                .address_size 64
                .visible .entry twice(.param .u64 out)
                {
                	.reg .b32 %r<4>;
                	.reg .b64 %rd<2>;
                	ld.param.u64 %rd1, [out];
                	mov.u32 %r1, 0;
                	{ .reg .pred p;
                	again:
                	add.u32 %r1, %r1, 1;
                	setp.lt.u32 p, %r1, 5;
                	@p bra again;
                	}
                	mov.u32 %r2, 0;
                	{ .reg .pred p;
                	again:
                	add.u32 %r2, %r2, 10;
                	setp.lt.u32 p, %r2, 30;
                	@p bra again;
                	}
                	add.u32 %r3, %r1, %r2;
                	st.global.u32 [%rd1], %r3;
                	ret;
                }
                """;
        DeviceModule m = backend.loadModule(ptx.getBytes(StandardCharsets.UTF_8));
        long out = backend.memAlloc(4);
        MemorySegment params = arena.allocate(8);
        params.set(ValueLayout.JAVA_LONG, 0, out);
        backend.launch(backend.function(m, "twice"), new LaunchConfig(1, 1, 1, 1, 1, 1, 0), params, null);
        MemorySegment got = arena.allocate(4);
        backend.copyDtoH(got, out, null);
        assertEquals(5 + 30, got.get(ValueLayout.JAVA_INT, 0));
    }
}
