package io.gpumigrate.ptx.conformance;

import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.LaunchConfig;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** block_algorithms.cu: tiled matmul in shared memory, warp-shuffle reduction, block scan, barrier reductions. */
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

    @Test
    void barrierCountAndOr() throws CudaException {
        int blocks = 4, threads = 96;
        Random random = new Random(54);
        int[] in = new int[blocks * threads];
        for (int i = 0; i < in.length; i++) {
            in[i] = switch (i / threads) {
                case 0 -> random.nextInt(200) - 100;
                case 1 -> random.nextInt(40) - 5;     // all > -50, a 7 somewhere (set below)
                case 2 -> random.nextInt(7) + 8;      // all positive, no 7
                default -> -60 - random.nextInt(40);  // all below -50
            };
        }
        in[threads + 17] = 7;
        long out = gpu.alloc(12L * blocks);
        gpu.launch(gpu.kernel("block_algorithms", "barrier_votes"), KernelRunner.grid(blocks, threads), gpu.upload(in), out);
        int[] r = gpu.ints(out, 3 * blocks);
        for (int blk = 0; blk < blocks; blk++) {
            int count = 0;
            boolean all = true, any = false;
            for (int t = 0; t < threads; t++) {
                int v = in[blk * threads + t];
                count += v > 0 ? 1 : 0;
                all &= v > -50;
                any |= v == 7;
            }
            assertEquals(count, r[3 * blk], "__syncthreads_count in block " + blk);
            assertEquals(all ? 1 : 0, r[3 * blk + 1], "__syncthreads_and in block " + blk);
            assertEquals(any ? 1 : 0, r[3 * blk + 2], "__syncthreads_or in block " + blk);
        }
    }
}
