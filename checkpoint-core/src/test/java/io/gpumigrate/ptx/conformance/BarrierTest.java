package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Barriers beyond __syncthreads: reductions (bar.red.popc/and/or, in block_algorithms.cu) and named barriers with arrive-only producers (barriers.cu). */
class BarrierTest extends ConformanceTest {

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

    @Test
    void namedBarriersProducerConsumer() throws CudaException {
        int threads = 128;
        int[] in = TestInputs.ints(new Random(55), 64);
        long out = gpu.alloc(4L * threads);
        gpu.launch(gpu.kernel("barriers", "named_barriers"), KernelRunner.grid(1, threads), gpu.upload(in), out);
        int[] r = gpu.ints(out, threads);
        for (int t = 0; t < threads; t++) {
            int expected = t < 64 ? (in[63 - t] * 3 + 1) * 2 : in[t - 64] * 3;
            assertEquals(expected, r[t], "thread " + t + (t < 64 ? " (reads the consumers' results)" : " (reads the stage)"));
        }
    }
}
