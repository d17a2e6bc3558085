/*
 * saxpy_loop: y = fma(a_k, x, y) for k = 0 .. iterations-1, one kernel launch per k.
 *
 * a_k cycles through eight exactly representable values, so a launch that is lost,
 * repeated or reordered (say, across a migration) changes the result; the CPU replays
 * the same fmaf() sequence and must match bit for bit. Even launches pass their arguments
 * through kernelParams, odd ones through `extra` (CU_LAUNCH_PARAM_BUFFER_POINTER).
 * Every --sync-every launches the loop synchronizes and prints its progress.
 */
#include "common/workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define BLOCK 256

/* The kernel's parameter block, laid out as the PTX .entry declares it (24 bytes, no padding). */
struct saxpy_args {
    CUdeviceptr x;
    CUdeviceptr y;
    float a;
    int n;
};

_Static_assert(sizeof(struct saxpy_args) == 24, "saxpy's parameter block is 24 bytes without padding");

static float coefficient(long long k)
{
    return 0.5f + (float)(k % 8) * 0.0625f;
}

int main(int argc, char **argv)
{
    long long n = 8192;
    long long iterations = 1000;
    long long sync_every = 100;
    wl_flag flags[] = {
        { "n", &n, 1, 1LL << 28, "number of elements" },
        { "iterations", &iterations, 1, 100000000, "kernel launches" },
        { "sync-every", &sync_every, 1, 100000000, "launches between synchronizations" },
        { NULL, NULL, 0, 0, NULL },
    };
    wl_common_flags common;
    wl_parse_flags(argc, argv, "saxpy_loop", flags, &common);

    wl_gpu gpu;
    wl_open(&gpu, "saxpy_loop");
    CUmodule module = wl_load_module("saxpy", WL_LOAD_DATA);
    CUfunction kernel = wl_function(module, "saxpy");

    size_t bytes = (size_t)n * sizeof(float);
    float *x = malloc(bytes);
    float *y = malloc(bytes);
    float *want = malloc(bytes);
    if (x == NULL || y == NULL || want == NULL) {
        wl_die("out of host memory for n=%lld", n);
    }
    uint32_t seed = 777;
    for (long long i = 0; i < n; i++) {
        x[i] = wl_rand_unit(&seed);
        y[i] = wl_rand_unit(&seed) - 0.5f;
        want[i] = y[i];
    }

    CUdeviceptr d_x, d_y;
    CHECK(cuMemAlloc(&d_x, bytes));
    CHECK(cuMemAlloc(&d_y, bytes));
    CHECK(cuMemcpyHtoD(d_x, x, bytes));
    CHECK(cuMemcpyHtoD(d_y, y, bytes));

    wl_ready_point(&common);

    struct saxpy_args args = { d_x, d_y, 0.0f, (int)n };
    size_t args_size = sizeof args;
    unsigned int grid = wl_blocks((size_t)n, BLOCK);
    for (long long k = 0; k < iterations; k++) {
        args.a = coefficient(k);
        if (k % 2 == 0) {
            void *params[] = { &args.x, &args.y, &args.a, &args.n };
            CHECK(cuLaunchKernel(kernel, grid, 1, 1, BLOCK, 1, 1, 0, NULL, params, NULL));
        } else {
            void *extra[] = { CU_LAUNCH_PARAM_BUFFER_POINTER, &args, CU_LAUNCH_PARAM_BUFFER_SIZE, &args_size,
                              CU_LAUNCH_PARAM_END };
            CHECK(cuLaunchKernel(kernel, grid, 1, 1, BLOCK, 1, 1, 0, NULL, NULL, extra));
        }
        if ((k + 1) % sync_every == 0 || k + 1 == iterations) {
            CHECK(cuCtxSynchronize());
            printf("saxpy_loop: launch %lld/%lld\n", k + 1, iterations);
        }
    }
    CHECK(cuMemcpyDtoH(y, d_y, bytes));

    for (long long k = 0; k < iterations; k++) {
        float a = coefficient(k);
        for (long long i = 0; i < n; i++) {
            want[i] = fmaf(a, x[i], want[i]);
        }
    }
    int ok = wl_floats_equal("y", y, want, (size_t)n);
    printf("saxpy_loop: n=%lld, %lld launches, %s\n", n, iterations, ok ? "matches the CPU bit for bit" : "mismatch");

    CHECK(cuMemFree(d_x));
    CHECK(cuMemFree(d_y));
    CHECK(cuModuleUnload(module));
    wl_close(&gpu);
    free(x);
    free(y);
    free(want);
    return wl_verdict(ok);
}
