/*
 * stencil: thousands of Jacobi steps of the 2D Laplace (heat) equation on an n x n grid,
 * one kernel launch per step, written to run through checkpoints and migrations.
 *
 * Setup: the top edge is held at 100 degrees, the other edges at 0, the interior starts
 * with pseudo-random values. The loop launches one step after another (ping-ponging two
 * device grids) and, every --progress steps, synchronizes, reads the grid back and compares
 * it with a CPU reference advanced to the same step, printing "step S/N". The kernel's float
 * ops are ((up + down) + left) + right, then * 0.25, each rounded to nearest and never
 * fused, and the CPU does exactly the same, so the grids must match bit for bit at every
 * check: a lost, repeated or reordered step is caught at the next progress line.
 *
 * --ballast-mib M adds M MiB of device memory (kernels/ballast.cu) in 8 slices, filled with
 * zeros, a compressible pattern or random words (--ballast-mode 0/1/2); at each progress
 * point one slice is rewritten with a new seed, so every copy round finds memory changed.
 * At the end every slice is checked on the device against the seed it last received.
 * Use it, rather than a huge --n, to give a migrated session gigabytes of device memory:
 * the CPU reference costs n * n * steps.
 */
#include "common/workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_X 16
#define BLOCK_Y 16
#define HOT 100.0f
#define SLICES 8
#define BALLAST_BLOCK 256
#define BALLAST_MAX_GRID 4096
#define WORDS_PER_MIB (1024ULL * 1024ULL / sizeof(uint32_t))

/* Device ballast: `words` 32-bit words in SLICES slices, each filled from its own seed. */
typedef struct {
    CUdeviceptr base;
    unsigned long long words;
    int mode;
    unsigned int seeds[SLICES];
    CUfunction fill;
    CUfunction check;
} ballast;

static void slice_range(const ballast *b, int slice, unsigned long long *begin, unsigned long long *end)
{
    *begin = b->words * (unsigned long long)slice / SLICES;
    *end = b->words * (unsigned long long)(slice + 1) / SLICES;
}

static unsigned int ballast_grid(unsigned long long words)
{
    unsigned long long blocks = (words + BALLAST_BLOCK - 1) / BALLAST_BLOCK;
    if (blocks == 0) {
        return 1;
    }
    return blocks > BALLAST_MAX_GRID ? BALLAST_MAX_GRID : (unsigned int)blocks;
}

/* Queues a rewrite of one slice with `seed` (asynchronous, on the default stream). */
static void ballast_fill_slice(ballast *b, int slice, unsigned int seed)
{
    unsigned long long begin, end;
    slice_range(b, slice, &begin, &end);
    b->seeds[slice] = seed;
    void *params[] = { &b->base, &begin, &end, &b->seeds[slice], &b->mode };
    CHECK(cuLaunchKernel(b->fill, ballast_grid(end - begin), 1, 1, BALLAST_BLOCK, 1, 1, 0, NULL, params, NULL));
}

/* Checks every slice on the device; returns the number of words that differ. */
static unsigned long long ballast_mismatches(ballast *b)
{
    CUdeviceptr d_bad;
    unsigned long long bad = 0;
    CHECK(cuMemAlloc(&d_bad, sizeof bad));
    CHECK(cuMemsetD32(d_bad, 0, 2));
    for (int slice = 0; slice < SLICES; slice++) {
        unsigned long long begin, end;
        slice_range(b, slice, &begin, &end);
        void *params[] = { &b->base, &begin, &end, &b->seeds[slice], &b->mode, &d_bad };
        CHECK(cuLaunchKernel(b->check, ballast_grid(end - begin), 1, 1, BALLAST_BLOCK, 1, 1, 0, NULL, params, NULL));
    }
    CHECK(cuMemcpyDtoH(&bad, d_bad, sizeof bad));
    CHECK(cuMemFree(d_bad));
    return bad;
}

/* One Jacobi step on the CPU, in the kernel's exact order of float operations. */
static void cpu_step(const float *src, float *dst, long long n)
{
    for (long long y = 0; y < n; y++) {
        for (long long x = 0; x < n; x++) {
            size_t i = (size_t)y * n + x;
            if (x == 0 || y == 0 || x == n - 1 || y == n - 1) {
                dst[i] = src[i];
                continue;
            }
            float sum = src[i - n] + src[i + n];
            sum = sum + src[i - 1];
            sum = sum + src[i + 1];
            dst[i] = 0.25f * sum;
        }
    }
}

int main(int argc, char **argv)
{
    long long n = 48;
    long long steps = 2000;
    long long progress = 200;
    long long ballast_mib = 0;
    long long ballast_mode = 2;
    wl_flag flags[] = {
        { "n", &n, 3, 16384, "grid side (cells)" },
        { "steps", &steps, 1, 1000000000, "Jacobi steps (one kernel launch each)" },
        { "progress", &progress, 1, 1000000000, "steps between synchronize + check + progress line" },
        { "ballast-mib", &ballast_mib, 0, 1 << 20, "extra device memory to carry and verify, MiB" },
        { "ballast-mode", &ballast_mode, 0, 2, "ballast contents: 0 zeros, 1 compressible pattern, 2 random" },
        { NULL, NULL, 0, 0, NULL },
    };
    wl_common_flags common;
    wl_parse_flags(argc, argv, "stencil", flags, &common);

    wl_gpu gpu;
    wl_open(&gpu, "stencil");
    CUmodule module = wl_load_module("stencil", WL_LOAD_DATA);
    CUfunction step_kernel = wl_function(module, "jacobi_step");
    CUmodule ballast_module = wl_load_module("ballast", WL_LOAD_FILE);

    size_t cells = (size_t)n * (size_t)n;
    size_t bytes = cells * sizeof(float);
    float *grid = malloc(bytes);
    float *ref = malloc(bytes);
    float *ref_next = malloc(bytes);
    if (grid == NULL || ref == NULL || ref_next == NULL) {
        wl_die("out of host memory for n=%lld", n);
    }
    uint32_t seed = 2024;
    for (long long y = 0; y < n; y++) {
        for (long long x = 0; x < n; x++) {
            int edge = x == 0 || y == 0 || x == n - 1 || y == n - 1;
            ref[(size_t)y * n + x] = edge ? (y == 0 ? HOT : 0.0f) : wl_rand_unit(&seed);
        }
    }

    CUdeviceptr d_src, d_dst;
    CHECK(cuMemAlloc(&d_src, bytes));
    CHECK(cuMemAlloc(&d_dst, bytes));
    CHECK(cuMemcpyHtoD(d_src, ref, bytes));
    CHECK(cuMemcpyHtoD(d_dst, ref, bytes));

    ballast extra = { 0 };
    extra.words = (unsigned long long)ballast_mib * WORDS_PER_MIB;
    extra.mode = (int)ballast_mode;
    extra.fill = wl_function(ballast_module, "ballast_fill");
    extra.check = wl_function(ballast_module, "ballast_check");
    if (extra.words > 0) {
        CHECK(cuMemAlloc(&extra.base, extra.words * sizeof(uint32_t)));
        for (int slice = 0; slice < SLICES; slice++) {
            ballast_fill_slice(&extra, slice, 1000u + (unsigned int)slice);
        }
        CHECK(cuCtxSynchronize());
    }
    printf("stencil: n=%lld, %lld steps, %.1f MiB of grids, %lld MiB of ballast (mode %lld)\n", n, steps,
           2.0 * (double)bytes / (1024.0 * 1024.0), ballast_mib, ballast_mode);

    wl_ready_point(&common);

    int size = (int)n;
    unsigned int grid_x = wl_blocks((size_t)n, BLOCK_X);
    unsigned int grid_y = wl_blocks((size_t)n, BLOCK_Y);
    long long ref_step = 0;
    int ok = 1;
    unsigned int checks = 0;
    for (long long step = 0; step < steps && ok; step++) {
        void *params[] = { &d_src, &d_dst, &size };
        CHECK(cuLaunchKernel(step_kernel, grid_x, grid_y, 1, BLOCK_X, BLOCK_Y, 1, 0, NULL, params, NULL));
        CUdeviceptr swap = d_src;
        d_src = d_dst;
        d_dst = swap;
        if ((step + 1) % progress != 0 && step + 1 != steps) {
            continue;
        }
        CHECK(cuCtxSynchronize());
        CHECK(cuMemcpyDtoH(grid, d_src, bytes));
        for (; ref_step < step + 1; ref_step++) {
            cpu_step(ref, ref_next, n);
            float *t = ref;
            ref = ref_next;
            ref_next = t;
        }
        ok = wl_floats_equal("grid", grid, ref, cells);
        if (extra.words > 0) {
            ballast_fill_slice(&extra, (int)(checks % SLICES), 2000u + checks);
        }
        checks++;
        printf("stencil: step %lld/%lld center %.6f %s\n", step + 1, steps, (double)grid[(size_t)(n / 2) * n + n / 2],
               ok ? "ok" : "MISMATCH");
    }

    if (ok && extra.words > 0) {
        unsigned long long bad = ballast_mismatches(&extra);
        if (bad != 0) {
            fprintf(stderr, "stencil: %llu of %llu ballast words differ from what was written\n", bad, extra.words);
            ok = 0;
        }
    }
    printf("stencil: %s\n", ok ? "every checked step matches the CPU bit for bit" : "mismatch");

    if (extra.words > 0) {
        CHECK(cuMemFree(extra.base));
    }
    CHECK(cuMemFree(d_src));
    CHECK(cuMemFree(d_dst));
    CHECK(cuModuleUnload(ballast_module));
    CHECK(cuModuleUnload(module));
    wl_close(&gpu);
    free(grid);
    free(ref);
    free(ref_next);
    return wl_verdict(ok);
}
