package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * warp_reconvergence.cu: lanes of a warp loop different numbers of times, then shuffle and vote
 * across the whole warp. However a scheduler interleaves the diverged groups, the collectives
 * must see all 32 lanes with their final values.
 */
class WarpSchedulingTest extends ConformanceTest {

    @Test
    void collectivesAfterLongDivergenceSeeTheWholeWarp() throws CudaException {
        int blocks = 2, threads = 64, all = blocks * threads;
        Random random = new Random(77);
        int[] trips = new int[all];
        for (int t = 0; t < all; t++) {
            // half the warp is done early, the other half loops on long after (hundreds of iterations)
            trips[t] = t % 32 == 5 ? 0 : t % 2 == 0 ? random.nextInt(40) : 1200 + random.nextInt(40);
        }
        long out = gpu.alloc(8L * all);
        gpu.launch(gpu.kernel("warp_reconvergence", "divergent_loop_then_collectives"), KernelRunner.grid(blocks, threads),
                gpu.upload(trips), out);
        int[] r = gpu.ints(out, 2 * all);
        int[] acc = new int[all];
        for (int t = 0; t < all; t++) {
            int a = t;
            for (int i = 0; i < trips[t]; i++) {
                a = a * 1664525 + 1013904223;
            }
            acc[t] = a;
        }
        for (int t = 0; t < all; t++) {
            int warp = t / 32 * 32;
            int sum = 0;
            int odd = 0;
            for (int l = 0; l < 32; l++) {
                sum += acc[warp + l];
                odd |= (acc[warp + l] & 1) << l;
            }
            assertEquals(sum, r[2 * t], "warp sum seen by thread " + t);
            assertEquals(odd, r[2 * t + 1], "ballot seen by thread " + t);
        }
    }
}
