package io.gpumigrate.ptx.conformance;

import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.LaunchConfig;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** block_algorithms.cu: tiled matmul in shared memory, warp-shuffle reduction, block scan. */
class BlockAlgorithmsTest extends ConformanceTest {

    @Test
    void tiledMatrixMultiply() throws CudaException {
        int m = 37, n = 45, k = 29, tile = 16;
        Random random = new Random(51);
        float[] a = TestInputs.uniform(random, m * k, -1, 1), b = TestInputs.uniform(random, k * n, -1, 1);
        long c = gpu.alloc(4L * m * n);
        LaunchConfig config = new LaunchConfig((n + tile - 1) / tile, (m + tile - 1) / tile, 1, tile, tile, 1, 0);
        gpu.launch(gpu.kernel("block_algorithms", "matmul_tiled"), config, gpu.upload(a), gpu.upload(b), c, m, n, k);
        float[] r = gpu.floats(c, m * n);
        for (int row = 0; row < m; row++) {
            for (int col = 0; col < n; col++) {
                // Same fma chain in the same k order as the kernel (padding adds exact zeros), so bit-exact.
                float acc = 0.0f;
                for (int i = 0; i < k; i++) {
                    acc = Math.fma(a[row * k + i], b[i * n + col], acc);
                }
                assertSameFloat(acc, r[row * n + col], "C[" + row + "][" + col + "]");
            }
        }
    }

    @Test
    void warpShuffleReduction() throws CudaException {
        int n = 10_000;
        int[] in = TestInputs.ints(new Random(52), n);
        long sum = gpu.alloc(8);
        gpu.launch(gpu.kernel("block_algorithms", "reduce_shfl"), KernelRunner.grid(4, 128), gpu.upload(in), sum, n);
        long expected = 0;
        for (int v : in) {
            expected += v;
        }
        assertEquals(expected, gpu.longs(sum, 1)[0], "sum of " + n + " ints");
    }

    @Test
    void blockInclusiveScan() throws CudaException {
        int blocks = 3, threads = 128;
        int[] in = TestInputs.ints(new Random(53), blocks * threads);
        long out = gpu.alloc(4L * in.length);
        gpu.launch(gpu.kernel("block_algorithms", "scan_block"), KernelRunner.grid(blocks, threads, 2 * threads * 4),
                gpu.upload(in), out);
        int[] expected = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            expected[i] = in[i] + (i % threads == 0 ? 0 : expected[i - 1]);
        }
        assertArrayEquals(expected, gpu.ints(out, in.length), "inclusive prefix sums per block");
    }
}
