package io.gpumigrate.workloads.jcuda;

/**
 * The CPU replay of kernels/reduce.cu's {@code reduce_sum}: the same float adds in the same
 * order (per-thread grid-stride accumulation, then folds in halves), so a correct device
 * result equals it bit for bit. Stateless and thread-safe.
 */
final class ReduceReference {
    /** Threads per block in both passes; a power of two, as the kernel requires. */
    static final int BLOCK = 256;
    /** Pass 1 blocks at most, so that pass 2 folds every partial in one block. */
    static final int MAX_BLOCKS = 256;

    private ReduceReference() {
    }

    /** Blocks of pass 1 for n inputs. */
    static int blocks(int n) {
        return Math.min((n + BLOCK - 1) / BLOCK, MAX_BLOCKS);
    }

    /** The value block {@code block} of a {@code grid}-block launch writes for {@code in[0..n)}. */
    static float blockSum(float[] in, int n, int block, int grid) {
        float[] partial = new float[BLOCK];
        long stride = (long) grid * BLOCK;
        for (int tid = 0; tid < BLOCK; tid++) {
            float acc = 0.0f;
            for (long i = (long) block * BLOCK + tid; i < n; i += stride) {
                acc += in[(int) i];
            }
            partial[tid] = acc;
        }
        for (int half = BLOCK / 2; half > 0; half >>= 1) {
            for (int tid = 0; tid < half; tid++) {
                partial[tid] += partial[tid + half];
            }
        }
        return partial[0];
    }

    /** Pass 1's partial sums for {@code in}. */
    static float[] partials(float[] in) {
        int grid = blocks(in.length);
        float[] partials = new float[grid];
        for (int b = 0; b < grid; b++) {
            partials[b] = blockSum(in, in.length, b, grid);
        }
        return partials;
    }

    /** Pass 2's total over pass 1's partials. */
    static float total(float[] partials) {
        return blockSum(partials, partials.length, 0, 1);
    }
}
