/*
 * matmul: C = A * B for n x n matrices with a tiled shared-memory kernel (16 x 16 tiles,
 * 2D grid and blocks), checked bit for bit against the CPU.
 *
 * The kernel accumulates fma(A[row][k], B[k][col], acc) for k in increasing order; the CPU
 * does the same with fmaf(), so every element must match exactly, for any n (tiles past the
 * edge are zero-padded and fma(0, 0, acc) == acc).
 */
#include "common/workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define TILE 16 /* must equal TILE in kernels/matmul.cu */

int main(int argc, char **argv)
{
    long long n = 256;
    long long repeat = 1;
    wl_flag flags[] = {
        { "n", &n, 1, 4096, "matrix dimension (the CPU reference costs n^3 fmaf)" },
        { "repeat", &repeat, 1, 100000, "times to run the multiplication (each result is checked)" },
        { NULL, NULL, 0, 0, NULL },
    };
    wl_common_flags common;
    wl_parse_flags(argc, argv, "matmul", flags, &common);

    wl_gpu gpu;
    wl_open(&gpu, "matmul");
    CUmodule module = wl_load_module("matmul", WL_LOAD_DATA);
    CUfunction kernel = wl_function(module, "matmul_tiled");

    size_t elements = (size_t)n * (size_t)n;
    size_t bytes = elements * sizeof(float);
    float *a = malloc(bytes);
    float *b = malloc(bytes);
    float *c = malloc(bytes);
    float *want = malloc(bytes);
    if (a == NULL || b == NULL || c == NULL || want == NULL) {
        wl_die("out of host memory for n=%lld", n);
    }
    uint32_t seed = 99;
    for (size_t i = 0; i < elements; i++) {
        a[i] = wl_rand_unit(&seed) - 0.5f;
        b[i] = wl_rand_unit(&seed) - 0.5f;
    }
    /* Row by row, k outermost so B streams through the cache; each element still sees k in order. */
    for (long long row = 0; row < n; row++) {
        float *acc = &want[row * n];
        for (long long col = 0; col < n; col++) {
            acc[col] = 0.0f;
        }
        for (long long k = 0; k < n; k++) {
            float a_rk = a[row * n + k];
            for (long long col = 0; col < n; col++) {
                acc[col] = fmaf(a_rk, b[k * n + col], acc[col]);
            }
        }
    }

    CUdeviceptr d_a, d_b, d_c;
    CHECK(cuMemAlloc(&d_a, bytes));
    CHECK(cuMemAlloc(&d_b, bytes));
    CHECK(cuMemAlloc(&d_c, bytes));
    CHECK(cuMemcpyHtoD(d_a, a, bytes));
    CHECK(cuMemcpyHtoD(d_b, b, bytes));

    wl_ready_point(&common);

    int size = (int)n;
    unsigned int tiles = wl_blocks((size_t)n, TILE);
    int ok = 1;
    for (long long r = 0; r < repeat && ok; r++) {
        CHECK(cuMemsetD32(d_c, 0, elements));
        void *params[] = { &d_a, &d_b, &d_c, &size };
        CHECK(cuLaunchKernel(kernel, tiles, tiles, 1, TILE, TILE, 1, 0, NULL, params, NULL));
        CHECK(cuStreamSynchronize(NULL));
        CHECK(cuMemcpyDtoH(c, d_c, bytes));
        ok = wl_floats_equal("C", c, want, elements);
    }
    printf("matmul: n=%lld, %u x %u tiles, %s\n", n, tiles, tiles, ok ? "matches the CPU bit for bit" : "mismatch");

    CHECK(cuMemFree(d_a));
    CHECK(cuMemFree(d_b));
    CHECK(cuMemFree(d_c));
    CHECK(cuModuleUnload(module));
    wl_close(&gpu);
    free(a);
    free(b);
    free(c);
    free(want);
    return wl_verdict(ok);
}
