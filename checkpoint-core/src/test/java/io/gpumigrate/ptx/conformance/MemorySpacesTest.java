package io.gpumigrate.ptx.conformance;

import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameDouble;
import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceModule;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** memory_spaces.cu: static and dynamic shared, local, const (host-written and initialised), module globals, generic pointers, vector accesses. */
class MemorySpacesTest extends ConformanceTest {

    @Test
    void staticSharedMemory() throws CudaException {
        int blocks = 4, tile = 128;
        int[] in = TestInputs.ints(new Random(7), blocks * tile);
        long out = gpu.alloc(4L * in.length);
        gpu.launch(gpu.kernel("memory_spaces", "shared_reverse"), KernelRunner.grid(blocks, tile), gpu.upload(in), out);
        int[] r = gpu.ints(out, in.length);
        for (int i = 0; i < in.length; i++) {
            int base = i / tile * tile, t = i % tile;
            assertEquals(in[base + tile - 1 - t] * 2 + t, r[i], "element " + i);
        }
    }

    @Test
    void dynamicSharedMemoryFollowsStatic() throws CudaException {
        int blocks = 3, threads = 96;
        float[] in = TestInputs.uniform(new Random(8), blocks * threads, -100, 100);
        long out = gpu.alloc(4L * in.length);
        gpu.launch(gpu.kernel("memory_spaces", "shared_dynamic"), KernelRunner.grid(blocks, threads, 2 * threads * 4),
                gpu.upload(in), out);
        float[] r = gpu.floats(out, in.length);
        for (int i = 0; i < in.length; i++) {
            int base = i / threads * threads, t = i % threads;
            float mirrored = in[base + threads - 1 - t];
            float expected = mirrored + mirrored * 10.0f + -1.0f * (t % 32);
            assertSameFloat(expected, r[i], "element " + i);
        }
    }

    /** {@code CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES}. */
    private static final int MAX_DYNAMIC_SHARED = 8;

    @Test
    void dynamicSharedMemoryBeyond48KiBNeedsTheOptIn() throws CudaException {
        int threads = 64, bytes = 64 * 1024;
        float[] in = TestInputs.uniform(new Random(8), threads, -100, 100);
        long out = gpu.alloc(4L * threads);
        var kernel = gpu.kernel("memory_spaces", "shared_dynamic");
        long input = gpu.upload(in);
        CudaException e = assertThrows(CudaException.class,
                () -> gpu.launch(kernel, KernelRunner.grid(1, threads, bytes), input, out));
        assertEquals(CuResult.INVALID_VALUE, e.result(), "64 KiB of dynamic shared memory without the opt-in: " + e.getMessage());
        backend.setFunctionAttribute(kernel, MAX_DYNAMIC_SHARED, bytes);
        gpu.launch(kernel, KernelRunner.grid(1, threads, bytes), input, out);
        float[] r = gpu.floats(out, threads);
        for (int t = 0; t < threads; t++) {
            float mirrored = in[threads - 1 - t];
            assertSameFloat(mirrored + mirrored * 10.0f + -1.0f * (t % 32), r[t], "element " + t + " after opting in");
        }
    }

    @Test
    void indexedLocalArray() throws CudaException {
        int n = 128;
        Random random = new Random(9);
        int[] idx = new int[n * 8];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = random.nextInt(1000);
        }
        long out = gpu.alloc(4L * n);
        gpu.launch(gpu.kernel("memory_spaces", "local_array"), KernelRunner.grid(2, 64), gpu.upload(idx), out, n);
        int[] r = gpu.ints(out, n);
        for (int i = 0; i < n; i++) {
            int[] scratch = new int[48];
            for (int k = 0; k < 48; k++) {
                scratch[k] = k * k + i;
            }
            int acc = 0;
            for (int k = 0; k < 8; k++) {
                int j = idx[i * 8 + k] % 48;
                scratch[j] += k + 1;
                acc += scratch[(j * 7 + k) % 48];
            }
            assertEquals(acc, r[i], "thread " + i);
        }
    }

    @Test
    void largeLocalArrays() throws CudaException {
        int n = 96;
        int[] seed = TestInputs.ints(new Random(91), n);
        long out = gpu.alloc(4L * n);
        gpu.launch(gpu.kernel("memory_spaces", "big_local"), KernelRunner.grid(3, 32), gpu.upload(seed), out, n);
        int[] r = gpu.ints(out, n);
        for (int i = 0; i < n; i++) {
            int[] buf = new int[2048];
            for (int k = 0; k < 2048; k++) {
                buf[k] = k ^ i;
            }
            int s = seed[i], acc = 0;
            for (int k = 0; k < 64; k++) {
                s = s * 1664525 + 1013904223;
                int j = s >>> 21;
                buf[j] += k;
                acc += buf[(j * 5 + 3) & 2047];
            }
            assertEquals(acc, r[i], "thread " + i + " with an 8 KB local array");
        }
    }

    @Test
    void constantMemoryAndModuleGlobals() throws CudaException {
        DeviceModule module = gpu.load("memory_spaces");
        AddressRange coeffs = backend.global(module, "coeffs");
        assertEquals(32, coeffs.size(), "__constant__ float coeffs[8]");
        float[] c = {0.5f, -1.25f, 2f, 0.125f, -0.0625f, 3f, 1f, -0.5f};
        try (Arena arena = Arena.ofConfined()) {
            backend.copyHtoD(coeffs.base(), arena.allocateFrom(ValueLayout.JAVA_FLOAT, c), null);
        }
        AddressRange launches = backend.global(module, "launches");
        assertEquals(8, launches.size());
        assertArrayEquals(new long[] {40}, gpu.longs(launches.base(), 1), "initial value of __device__ launches");
        int n = 100;
        float[] x = TestInputs.uniform(new Random(10), n, -2, 2);
        long y = gpu.alloc(4L * n), z = gpu.alloc(4L * n);
        var kernel = backend.function(module, "const_poly");
        gpu.launch(kernel, KernelRunner.grid(2, 64), gpu.upload(x), y, z, n);
        gpu.launch(kernel, KernelRunner.grid(2, 64), gpu.upload(x), y, z, n);
        float[] ry = gpu.floats(y, n);
        int[] rz = gpu.ints(z, n);
        int[] offsets = {3, -5, 1000, 7};
        for (int i = 0; i < n; i++) {
            float acc = 0.0f;
            for (int k = 7; k >= 0; k--) {
                acc = Math.fma(acc, x[i], c[k]);
            }
            assertSameFloat(acc, ry[i], "polynomial at x=" + x[i]);
            assertEquals(offsets[i & 3] * (i + 1), rz[i], "initialised __constant__ table, thread " + i);
        }
        assertArrayEquals(new long[] {44}, gpu.longs(launches.base(), 1), "module global after two launches adding 2");
    }

    @Test
    void genericPointersToEachSpace() throws CudaException {
        int threads = 64;
        int[] in = TestInputs.ints(new Random(11), threads);
        long out = gpu.alloc(12L * threads);
        gpu.launch(gpu.kernel("memory_spaces", "generic_pointers"), KernelRunner.grid(1, threads), gpu.upload(in), out);
        int[] r = gpu.ints(out, 3 * threads);
        for (int t = 0; t < threads; t++) {
            assertEquals(in[t] + 2000, r[3 * t], "global through a generic pointer, thread " + t);
            assertEquals(in[63 - t] * 3 + 1000, r[3 * t + 1], "shared through a generic pointer, thread " + t);
            assertEquals(in[t] + (t & 3) + 4000, r[3 * t + 2], "local through a generic pointer, thread " + t);
        }
    }

    @Test
    void vectorLoadsAndStores() throws CudaException {
        int n = 96;
        Random random = new Random(12);
        float[] f4 = TestInputs.uniform(random, 4 * n, -50, 50), f2 = TestInputs.uniform(random, 2 * n, -50, 50);
        int[] i4 = TestInputs.ints(random, 4 * n);
        double[] d2 = TestInputs.doubles(random, 2 * n);
        long of4 = gpu.alloc(16L * n), of2 = gpu.alloc(8L * n), oi4 = gpu.alloc(16L * n), od2 = gpu.alloc(16L * n);
        gpu.launch(gpu.kernel("memory_spaces", "vectors"), KernelRunner.grid(3, 32),
                gpu.upload(f4), gpu.upload(f2), gpu.upload(i4), gpu.upload(d2), of4, of2, oi4, od2, n);
        float[] rf4 = gpu.floats(of4, 4 * n), rf2 = gpu.floats(of2, 2 * n);
        int[] ri4 = gpu.ints(oi4, 4 * n);
        double[] rd2 = gpu.doubles(od2, 2 * n);
        for (int i = 0; i < n; i++) {
            float ax = f4[4 * i], ay = f4[4 * i + 1], az = f4[4 * i + 2], aw = f4[4 * i + 3];
            float bx = f2[2 * i], by = f2[2 * i + 1];
            float[] e4 = {aw + bx, az * by, ay - 1.0f, ax};
            for (int j = 0; j < 4; j++) {
                assertSameFloat(e4[j], rf4[4 * i + j], "float4 lane " + j + " of element " + i);
            }
            assertSameFloat(by, rf2[2 * i], "float2.x of element " + i);
            assertSameFloat(bx + ax, rf2[2 * i + 1], "float2.y of element " + i);
            int cx = i4[4 * i], cy = i4[4 * i + 1], cz = i4[4 * i + 2], cw = i4[4 * i + 3];
            assertArrayEquals(new int[] {cy ^ cz, cx + cw, cz, cw - cx},
                    new int[] {ri4[4 * i], ri4[4 * i + 1], ri4[4 * i + 2], ri4[4 * i + 3]}, "int4 of element " + i);
            assertSameDouble(d2[2 * i + 1] * 2.0, rd2[2 * i], "double2.x of element " + i);
            assertSameDouble(d2[2 * i] + d2[2 * i + 1], rd2[2 * i + 1], "double2.y of element " + i);
        }
    }

    @Test
    void cacheOperatorsAndPrefetchKeepPlainSemantics() throws CudaException {
        int n = 64;
        Random random = new Random(13);
        float[] in = TestInputs.uniform(random, n, -10, 10), in4 = TestInputs.uniform(random, 4 * n, -10, 10);
        long out = gpu.alloc(20L * n), out4 = gpu.alloc(16L * n);
        gpu.launch(gpu.kernel("cache_hints", "cache_hints"), KernelRunner.grid(2, 32), gpu.upload(in), gpu.upload(in4), out, out4, n);
        float[] r = gpu.floats(out, 5 * n), r4 = gpu.floats(out4, 4 * n);
        for (int i = 0; i < n; i++) {
            float[] e = {in[i] + 1.0f, in[i] * 2.0f, in[i] - 3.0f, -in[i], in[i]};
            for (int j = 0; j < 5; j++) {
                assertSameFloat(e[j], r[5 * i + j], "cached load/store " + j + " of element " + i);
            }
            for (int j = 0; j < 4; j++) {
                assertSameFloat(in4[4 * i + 3 - j], r4[4 * i + j], "ld/st.global.cs.v4 lane " + j + " of element " + i);
            }
        }
    }
}
