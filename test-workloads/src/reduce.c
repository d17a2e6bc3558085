/*
 * reduce: the sum of n floats in two kernel passes with a shared-memory tree.
 *
 * Pass 1 runs `blocks` blocks over the input and leaves one partial sum per block; pass 2
 * runs one block over the partials. The CPU replays exactly the kernel's order of float
 * adds (grid-stride accumulation per thread, then halving folds), so the partials and the
 * total must match bit for bit. A double-precision sum checks the result is also sane.
 * Loads its PTX with cuModuleLoadDataEx and passes dynamic shared memory at launch.
 */
#include "common/workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define BLOCK 256 /* a power of two, as the kernel requires */
#define MAX_BLOCKS 256 /* pass 2 reduces at most one partial per thread in a single pass */

/* The kernel's order of adds for one block, replayed on the CPU. */
static float block_sum(const float *in, long long n, unsigned int block, unsigned int grid)
{
    float partial[BLOCK];
    size_t stride = (size_t)grid * BLOCK;
    for (unsigned int tid = 0; tid < BLOCK; tid++) {
        float acc = 0.0f;
        for (size_t i = (size_t)block * BLOCK + tid; i < (size_t)n; i += stride) {
            acc = acc + in[i];
        }
        partial[tid] = acc;
    }
    for (unsigned int half = BLOCK / 2; half > 0; half >>= 1) {
        for (unsigned int tid = 0; tid < half; tid++) {
            partial[tid] = partial[tid] + partial[tid + half];
        }
    }
    return partial[0];
}

int main(int argc, char **argv)
{
    long long n = 1 << 18;
    long long repeat = 10;
    wl_flag flags[] = {
        { "n", &n, 1, (1LL << 31) - 1, "number of elements" },
        { "repeat", &repeat, 1, 1000000, "times to run both passes (each result is checked)" },
        { NULL, NULL, 0, 0, NULL },
    };
    wl_common_flags common;
    wl_parse_flags(argc, argv, "reduce", flags, &common);

    wl_gpu gpu;
    wl_open(&gpu, "reduce");
    CUmodule module = wl_load_module("reduce", WL_LOAD_DATA_EX);
    CUfunction kernel = wl_function(module, "reduce_sum");

    unsigned int blocks = wl_blocks((size_t)n, BLOCK);
    if (blocks > MAX_BLOCKS) {
        blocks = MAX_BLOCKS;
    }
    size_t bytes = (size_t)n * sizeof(float);
    float *in = malloc(bytes);
    if (in == NULL) {
        wl_die("out of host memory for n=%lld", n);
    }
    uint32_t seed = 4242;
    double exact = 0.0;
    for (long long i = 0; i < n; i++) {
        in[i] = wl_rand_unit(&seed);
        exact += in[i];
    }
    float want_partials[MAX_BLOCKS];
    for (unsigned int b = 0; b < blocks; b++) {
        want_partials[b] = block_sum(in, n, b, blocks);
    }
    float want_total = block_sum(want_partials, blocks, 0, 1);

    CUdeviceptr d_in, d_partials, d_total;
    CHECK(cuMemAlloc(&d_in, bytes));
    CHECK(cuMemAlloc(&d_partials, MAX_BLOCKS * sizeof(float)));
    CHECK(cuMemAlloc(&d_total, sizeof(float)));
    CHECK(cuMemcpyHtoD(d_in, in, bytes));

    wl_ready_point(&common);

    int ok = 1;
    int count = (int)n;
    int partial_count = (int)blocks;
    float partials[MAX_BLOCKS];
    float total = 0.0f;
    for (long long r = 0; r < repeat && ok; r++) {
        CHECK(cuMemsetD32(d_partials, 0, MAX_BLOCKS));
        CHECK(cuMemsetD32(d_total, 0, 1));
        void *pass1[] = { &d_in, &d_partials, &count };
        CHECK(cuLaunchKernel(kernel, blocks, 1, 1, BLOCK, 1, 1, BLOCK * sizeof(float), NULL, pass1, NULL));
        void *pass2[] = { &d_partials, &d_total, &partial_count };
        CHECK(cuLaunchKernel(kernel, 1, 1, 1, BLOCK, 1, 1, BLOCK * sizeof(float), NULL, pass2, NULL));
        CHECK(cuMemcpyDtoH(partials, d_partials, blocks * sizeof(float)));
        CHECK(cuMemcpyDtoH(&total, d_total, sizeof(float)));
        ok = wl_floats_equal("partials", partials, want_partials, blocks) && wl_floats_equal("total", &total, &want_total, 1);
    }

    /*
     * Sanity bound, independent of the replay: every input is non-negative, so a sum whose
     * longest chain of dependent adds is `depth` long errs by at most depth * 2^-24 relative
     * (round to nearest). Here depth = adds per thread + log2(BLOCK) folds in each pass.
     */
    double per_thread = ceil((double)n / ((double)blocks * BLOCK));
    double bound = (per_thread + 2.0 * log2(BLOCK)) * ldexp(1.0, -24);
    double relative = fabs((double)total - exact) / (exact > 0.0 ? exact : 1.0);
    if (ok && relative > bound) {
        fprintf(stderr, "reduce: total %.9g is %.3g relative away from the double-precision sum %.17g (bound %.3g)\n",
                (double)total, relative, exact, bound);
        ok = 0;
    }
    printf("reduce: n=%lld, %u blocks, %lld repeats, total %.9g (double %.9g), %s\n", n, blocks, repeat, (double)total,
           exact, ok ? "matches the CPU replay bit for bit" : "mismatch");

    CHECK(cuMemFree(d_in));
    CHECK(cuMemFree(d_partials));
    CHECK(cuMemFree(d_total));
    CHECK(cuModuleUnload(module));
    wl_close(&gpu);
    free(in);
    return wl_verdict(ok);
}
