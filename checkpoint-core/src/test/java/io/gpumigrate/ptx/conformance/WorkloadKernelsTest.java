package io.gpumigrate.ptx.conformance;

import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.LaunchConfig;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kernels of the test-workloads module (test-workloads/kernels/NAME.ptx, read from the
 * source tree), at small sizes, against CPU references. Skipped, with the reason, in a tree
 * that does not hold that module yet.
 */
class WorkloadKernelsTest extends ConformanceTest {

    private static final Path KERNELS = Path.of("../test-workloads/kernels");

    private DeviceModule workload(String name) throws CudaException {
        Path ptx = KERNELS.resolve(name + ".ptx");
        assumeTrue(Files.isRegularFile(ptx), ptx.toAbsolutePath() + " is not in this tree (test-workloads not merged)");
        try {
            return backend.loadModule(Files.readAllBytes(ptx));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void vectorAddSaxpyScaleAdd() throws CudaException {
        int n = 1000;
        Random random = new Random(71);
        float[] a = TestInputs.uniform(random, n, -10, 10), b = TestInputs.uniform(random, n, -10, 10);
        long pa = gpu.upload(a), pb = gpu.upload(b), pc = gpu.alloc(4L * n);
        LaunchConfig cfg = KernelRunner.grid((n + 127) / 128, 128);
        gpu.launch(gpu.kernel(workload("vector_add"), "vector_add"), cfg, pa, pb, pc, n);
        float[] sum = gpu.floats(pc, n);
        gpu.launch(gpu.kernel(workload("saxpy"), "saxpy"), cfg, pa, pb, 1.75f, n);
        float[] saxpy = gpu.floats(pb, n);
        DeviceModule streams = workload("streams");
        gpu.launch(gpu.kernel(streams, "scale"), cfg, pa, -0.5f, n);
        gpu.launch(gpu.kernel(streams, "add"), cfg, pa, pc, pc, n);
        float[] scaledPlusSum = gpu.floats(pc, n);
        for (int i = 0; i < n; i++) {
            assertSameFloat(a[i] + b[i], sum[i], "vector_add " + i);
            assertSameFloat(Math.fma(1.75f, a[i], b[i]), saxpy[i], "saxpy " + i);
            assertSameFloat(a[i] * -0.5f + (a[i] + b[i]), scaledPlusSum[i], "scale then add " + i);
        }
    }

    @Test
    void twoPassReduction() throws CudaException {
        int n = 3000, blocks = 4, threads = 128;
        float[] in = TestInputs.uniform(new Random(72), n, -1, 1);
        long pin = gpu.upload(in), partials = gpu.alloc(4L * blocks), total = gpu.alloc(4);
        var reduce = gpu.kernel(workload("reduce"), "reduce_sum");
        gpu.launch(reduce, KernelRunner.grid(blocks, threads, threads * 4), pin, partials, n);
        gpu.launch(reduce, KernelRunner.grid(1, threads, threads * 4), partials, total, blocks);
        float[] expectedPartials = reduceBlocks(in, blocks, threads);
        assertArrayEquals(expectedPartials, gpu.floats(partials, blocks), "pass 1 partial sums");
        assertSameFloat(reduceBlocks(expectedPartials, 1, threads)[0], gpu.floats(total, 1)[0], "pass 2 total");
    }

    @Test
    void tiledMatmulAndJacobi() throws CudaException {
        int n = 40, tile = 16, g = (n + tile - 1) / tile;
        Random random = new Random(73);
        float[] a = TestInputs.uniform(random, n * n, -1, 1), b = TestInputs.uniform(random, n * n, -1, 1);
        long pc = gpu.alloc(4L * n * n), dst = gpu.alloc(4L * n * n);
        gpu.launch(gpu.kernel(workload("matmul"), "matmul_tiled"), new LaunchConfig(g, g, 1, tile, tile, 1, 0),
                gpu.upload(a), gpu.upload(b), pc, n);
        float[] c = gpu.floats(pc, n * n);
        gpu.launch(gpu.kernel(workload("stencil"), "jacobi_step"), new LaunchConfig(5, 5, 1, 8, 8, 1, 0), pc, dst, n);
        float[] j = gpu.floats(dst, n * n);
        for (int row = 0; row < n; row++) {
            for (int col = 0; col < n; col++) {
                float acc = 0.0f;
                for (int k = 0; k < n; k++) {
                    acc = Math.fma(a[row * n + k], b[k * n + col], acc);
                }
                assertSameFloat(acc, c[row * n + col], "matmul C[" + row + "][" + col + "]");
            }
        }
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int i = y * n + x;
                float expected = x == 0 || y == 0 || x == n - 1 || y == n - 1 ? c[i]
                        : 0.25f * (((c[i - n] + c[i + n]) + c[i - 1]) + c[i + 1]);
                assertSameFloat(expected, j[i], "jacobi cell (" + x + "," + y + ")");
            }
        }
    }

    @Test
    void pointerChaseAcrossAllocations() throws CudaException {
        DeviceModule m = workload("pointer_chase");
        int perPool = 20, lists = 5, len = 8, nodes = 2 * perPool;
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < nodes; k++) {
            order.add(k);
        }
        Collections.shuffle(order, new Random(74));
        int[] orderArray = order.stream().mapToInt(Integer::intValue).toArray();
        int[] values = new int[nodes];
        for (int k = 0; k < nodes; k++) {
            values[k] = 1000 + 7 * k;
        }
        long poolA = gpu.alloc(16L * perPool), poolB = gpu.alloc(16L * perPool), pv = gpu.upload(values);
        long heads = gpu.alloc(8L * lists), sums = gpu.alloc(8L * lists), hops = gpu.alloc(4L * lists);
        gpu.launch(gpu.kernel(m, "link_lists"), KernelRunner.grid(1, 64), poolA, poolB, perPool, pv,
                gpu.upload(orderArray), lists, len, heads);
        gpu.launch(gpu.kernel(m, "bump_values"), KernelRunner.grid(1, 64), pv, nodes, 5);
        gpu.launch(gpu.kernel(m, "walk_lists"), KernelRunner.grid(1, 32), heads, lists, 100, sums, hops);
        long[] s = gpu.longs(sums, lists);
        int[] h = gpu.ints(hops, lists);
        for (int l = 0; l < lists; l++) {
            long expected = 0;
            for (int p = l * len; p < (l + 1) * len; p++) {
                expected += values[orderArray[p]] + 5;
            }
            assertEquals(expected, s[l], "sum along list " + l);
            assertEquals(len, h[l], "hops along list " + l);
        }
    }

    @Test
    void moduleGlobalsWrittenByTheHost() throws CudaException {
        DeviceModule m = workload("module_globals");
        int n = 100;
        float[] coeffs = {1.5f, -2f, 0.25f, 3f, -0.125f, 8f, 1f, -1f};
        float[] table = TestInputs.uniform(new Random(75), 16, -5, 5);
        long out = gpu.alloc(4L * n);
        try (Arena arena = Arena.ofConfined()) {
            backend.copyHtoD(backend.global(m, "coeffs").base(), arena.allocateFrom(ValueLayout.JAVA_FLOAT, coeffs), null);
            backend.copyHtoD(backend.global(m, "offset").base(), arena.allocateFrom(ValueLayout.JAVA_INT, 42), null);
            backend.copyHtoD(backend.global(m, "table").base(), arena.allocateFrom(ValueLayout.JAVA_FLOAT, table), null);
            backend.copyHtoD(backend.global(m, "out_ptr").base(), arena.allocateFrom(ValueLayout.JAVA_LONG, out), null);
        }
        float[] in = TestInputs.uniform(new Random(76), n, -3, 3);
        gpu.launch(gpu.kernel(m, "transform"), KernelRunner.grid(2, 64), gpu.upload(in), n);
        float[] r = gpu.floats(out, n);
        for (int i = 0; i < n; i++) {
            assertSameFloat(coeffs[i % 8] * in[i] + table[i % 16] + 42f, r[i], "transform " + i);
        }
        AddressRange calls = backend.global(m, "calls");
        assertEquals(n, gpu.ints(calls.base(), 1)[0], "calls counted by atomicAdd");
    }

    @Test
    void ballastFillAndCheck() throws CudaException {
        DeviceModule m = workload("ballast");
        int words = 5000;
        long begin = 100, end = 4000;
        long buf = gpu.alloc(4L * words), mismatches = gpu.alloc(8);
        gpu.launch(gpu.kernel(m, "ballast_fill"), KernelRunner.grid(3, 64), buf, begin, end, 7, 2);
        int[] r = gpu.ints(buf, words);
        for (int i = 0; i < words; i++) {
            int expected = i >= begin && i < end ? ballastRandomWord(i, 7) : 0;
            assertEquals(expected, r[i], "word " + i);
        }
        try (Arena arena = Arena.ofConfined()) {
            backend.copyHtoD(buf + 4L * 1234, arena.allocateFrom(ValueLayout.JAVA_INT, 1, 2, 3), null);
        }
        gpu.launch(gpu.kernel(m, "ballast_check"), KernelRunner.grid(3, 64), buf, begin, end, 7, 2, mismatches);
        assertEquals(3, gpu.longs(mismatches, 1)[0], "three words overwritten");
    }

    private static int ballastRandomWord(long i, int seed) {
        long z = i + 0x9E3779B97F4A7C15L * ((seed & 0xffffffffL) + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) (z ^ (z >>> 31));
    }

    /** reduce.cu's order of additions: per-thread grid-stride sums, then a halving tree per block. */
    private static float[] reduceBlocks(float[] in, int blocks, int threads) {
        float[] out = new float[blocks];
        int stride = blocks * threads;
        for (int b = 0; b < blocks; b++) {
            float[] partial = new float[threads];
            for (int t = 0; t < threads; t++) {
                float acc = 0.0f;
                for (int i = b * threads + t; i < in.length; i += stride) {
                    acc += in[i];
                }
                partial[t] = acc;
            }
            for (int half = threads / 2; half > 0; half >>= 1) {
                for (int t = 0; t < half; t++) {
                    partial[t] += partial[t + half];
                }
            }
            out[b] = partial[0];
        }
        return out;
    }
}
