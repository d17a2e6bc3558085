package io.gpumigrate.workloads.jcuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class ReduceReferenceTest {
    @Test
    void foldsInTheKernelsTreeOrderNotSequentially() {
        // Sequentially 1 + 1 + 2^24 is exact (16777218); the kernel's tree adds 1 + 2^24 first
        // (thread 0 folds in thread 2's value), which rounds to 2^24, then adds 1 again.
        float[] in = {1.0f, 1.0f, 16777216.0f};
        float[] partials = ReduceReference.partials(in);
        assertEquals(1, partials.length);
        assertEquals(16777216.0f, ReduceReference.total(partials));
    }

    @Test
    void sumsExactlyWhenNoAddRounds() {
        // Small integers: every partial sum is exact in float whatever the order.
        int n = 100_003;
        float[] in = new float[n];
        long want = 0;
        for (int i = 0; i < n; i++) {
            in[i] = i % 17;
            want += i % 17;
        }
        float[] partials = ReduceReference.partials(in);
        assertEquals(ReduceReference.blocks(n), partials.length);
        assertEquals(Math.min((n + 255) / 256, 256), partials.length);
        assertEquals((float) want, ReduceReference.total(partials));
        assertEquals(want, (long) ReduceReference.total(partials));
    }

    @Test
    void coversEveryInputOnceWhenBlocksAreCapped() {
        // More inputs than 256 blocks of 256 threads: each thread strides over the grid.
        int n = 256 * 256 * 3 + 5;
        float[] ones = new float[n];
        Arrays.fill(ones, 1.0f);
        float[] partials = ReduceReference.partials(ones);
        assertEquals(256, partials.length);
        assertEquals((float) n, ReduceReference.total(partials));
    }
}
