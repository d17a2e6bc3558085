/*
 * vector_add: c = a + b on the device, checked bit for bit against the CPU.
 *
 * Loads its PTX with cuModuleLoad (from a file path). Before the launch, c is filled with a
 * NaN pattern by cuMemsetD32 so that a launch that never ran cannot pass.
 */
#include "common/workload.h"

#include <stdio.h>
#include <stdlib.h>

#define BLOCK 256
#define NAN_BITS 0x7fc00bad

int main(int argc, char **argv)
{
    long long n = 1 << 16;
    wl_flag flags[] = {
        { "n", &n, 1, 1LL << 28, "number of elements" },
        { NULL, NULL, 0, 0, NULL },
    };
    wl_common_flags common;
    wl_parse_flags(argc, argv, "vector_add", flags, &common);

    wl_gpu gpu;
    wl_open(&gpu, "vector_add");
    CUmodule module = wl_load_module("vector_add", WL_LOAD_FILE);
    CUfunction kernel = wl_function(module, "vector_add");

    size_t bytes = (size_t)n * sizeof(float);
    float *a = malloc(bytes);
    float *b = malloc(bytes);
    float *c = malloc(bytes);
    float *want = malloc(bytes);
    if (a == NULL || b == NULL || c == NULL || want == NULL) {
        wl_die("out of host memory for n=%lld", n);
    }
    uint32_t seed = 12345;
    for (long long i = 0; i < n; i++) {
        a[i] = wl_rand_unit(&seed) * 100.0f;
        b[i] = wl_rand_unit(&seed) - 0.5f;
        want[i] = a[i] + b[i];
    }

    CUdeviceptr d_a, d_b, d_c;
    CHECK(cuMemAlloc(&d_a, bytes));
    CHECK(cuMemAlloc(&d_b, bytes));
    CHECK(cuMemAlloc(&d_c, bytes));
    CHECK(cuMemcpyHtoD(d_a, a, bytes));
    CHECK(cuMemcpyHtoD(d_b, b, bytes));
    CHECK(cuMemsetD32(d_c, NAN_BITS, (size_t)n));

    wl_ready_point(&common);

    int count = (int)n;
    void *params[] = { &d_a, &d_b, &d_c, &count };
    CHECK(cuLaunchKernel(kernel, wl_blocks((size_t)n, BLOCK), 1, 1, BLOCK, 1, 1, 0, NULL, params, NULL));
    CHECK(cuCtxSynchronize());
    CHECK(cuMemcpyDtoH(c, d_c, bytes));

    int ok = wl_floats_equal("c", c, want, (size_t)n);
    printf("vector_add: n=%lld, %s\n", n, ok ? "all elements match the CPU bit for bit" : "mismatch");

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
