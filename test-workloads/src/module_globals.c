/*
 * module_globals: module-scope __constant__ and __device__ variables reached through
 * cuModuleGetGlobal.
 *
 * The host looks up coeffs (__constant__ float[8]), offset (__constant__ int),
 * table (__device__ float[16]), out_ptr (__device__ float *) and calls (__device__
 * unsigned int), checks each reported size, writes the first four with cuMemcpyHtoD (out_ptr
 * receives a device address, so device memory holds a pointer the host chose) and zeroes
 * calls. The kernel computes out_ptr[i] = (coeffs[i % 8] * in[i] + table[i % 16]) + offset
 * and counts its threads with atomicAdd on calls. Each round changes the constants, then
 * checks the output bit for bit and reads calls back through cuModuleGetGlobal +
 * cuMemcpyDtoH. Globals are placed by the driver, not by cuMemAlloc, so after a migration
 * they must be found again by name.
 */
#include "common/workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 128
#define COEFFS 8 /* sizes as declared in kernels/module_globals.cu */
#define TABLE 16

/* Looks a global up by name and checks that the module reports the declared size. */
static CUdeviceptr global(CUmodule module, const char *name, size_t want_bytes)
{
    CUdeviceptr address = 0;
    size_t bytes = 0;
    CHECK(cuModuleGetGlobal(&address, &bytes, module, name));
    if (bytes != want_bytes) {
        wl_die("global %s has %zu bytes, kernels/module_globals.cu declares %zu", name, bytes, want_bytes);
    }
    if (address == 0) {
        wl_die("global %s has a null device address", name);
    }
    return address;
}

int main(int argc, char **argv)
{
    long long n = 4096;
    long long rounds = 20;
    wl_flag flags[] = {
        { "n", &n, 1, 1LL << 28, "elements" },
        { "rounds", &rounds, 1, 10000000, "rounds with new constants, each checked" },
        { NULL, NULL, 0, 0, NULL },
    };
    wl_common_flags common;
    wl_parse_flags(argc, argv, "module_globals", flags, &common);

    wl_gpu gpu;
    wl_open(&gpu, "module_globals");
    CUmodule module = wl_load_module("module_globals", WL_LOAD_FILE);
    CUfunction transform = wl_function(module, "transform");

    CUdeviceptr g_coeffs = global(module, "coeffs", COEFFS * sizeof(float));
    CUdeviceptr g_offset = global(module, "offset", sizeof(int));
    CUdeviceptr g_table = global(module, "table", TABLE * sizeof(float));
    CUdeviceptr g_out_ptr = global(module, "out_ptr", sizeof(CUdeviceptr));
    CUdeviceptr g_calls = global(module, "calls", sizeof(unsigned int));

    size_t bytes = (size_t)n * sizeof(float);
    float *in = malloc(bytes);
    float *out = malloc(bytes);
    float *want = malloc(bytes);
    if (in == NULL || out == NULL || want == NULL) {
        wl_die("out of host memory for n=%lld", n);
    }
    uint32_t seed = 8086;
    for (long long i = 0; i < n; i++) {
        in[i] = wl_rand_unit(&seed) * 2.0f - 1.0f;
    }
    CUdeviceptr d_in, d_out;
    CHECK(cuMemAlloc(&d_in, bytes));
    CHECK(cuMemAlloc(&d_out, bytes));
    CHECK(cuMemcpyHtoD(d_in, in, bytes));
    CHECK(cuMemcpyHtoD(g_out_ptr, &d_out, sizeof d_out));

    wl_ready_point(&common);

    int count = (int)n;
    int ok = 1;
    for (long long r = 0; r < rounds && ok; r++) {
        float coeffs[COEFFS];
        float table[TABLE];
        int offset = (int)(r % 7) - 3;
        for (int k = 0; k < COEFFS; k++) {
            coeffs[k] = wl_rand_unit(&seed) * 4.0f - 2.0f;
        }
        for (int k = 0; k < TABLE; k++) {
            table[k] = wl_rand_unit(&seed) * 10.0f;
        }
        unsigned int zero = 0;
        CHECK(cuMemcpyHtoD(g_coeffs, coeffs, sizeof coeffs));
        CHECK(cuMemcpyHtoD(g_table, table, sizeof table));
        CHECK(cuMemcpyHtoD(g_offset, &offset, sizeof offset));
        CHECK(cuMemcpyHtoD(g_calls, &zero, sizeof zero));
        CHECK(cuMemsetD32(d_out, 0, (size_t)n));

        void *params[] = { &d_in, &count };
        CHECK(cuLaunchKernel(transform, wl_blocks((size_t)n, BLOCK), 1, 1, BLOCK, 1, 1, 0, NULL, params, NULL));
        CHECK(cuCtxSynchronize());

        /* Look calls up again by name, as a program would after the module moved. */
        CUdeviceptr calls_again = global(module, "calls", sizeof(unsigned int));
        unsigned int calls = 0;
        CHECK(cuMemcpyDtoH(&calls, calls_again, sizeof calls));
        CHECK(cuMemcpyDtoH(out, d_out, bytes));
        CUdeviceptr stored = 0;
        CHECK(cuMemcpyDtoH(&stored, g_out_ptr, sizeof stored));

        for (long long i = 0; i < n; i++) {
            float v = coeffs[i % COEFFS] * in[i];
            v = v + table[i % TABLE];
            want[i] = v + (float)offset;
        }
        if (calls != (unsigned int)n) {
            fprintf(stderr, "module_globals: round %lld: calls = %u, expected %lld\n", r, calls, n);
            ok = 0;
        }
        if (stored != d_out) {
            fprintf(stderr, "module_globals: round %lld: out_ptr holds 0x%llx, expected 0x%llx\n", r,
                    (unsigned long long)stored, (unsigned long long)d_out);
            ok = 0;
        }
        ok = ok && wl_floats_equal("out", out, want, (size_t)n);
        if ((r + 1) % 5 == 0 || r + 1 == rounds) {
            printf("module_globals: round %lld/%lld %s\n", r + 1, rounds, ok ? "ok" : "MISMATCH");
        }
    }
    printf("module_globals: n=%lld, %lld rounds, %s\n", n, rounds, ok ? "constants, globals and counters all match" : "mismatch");

    CHECK(cuMemFree(d_in));
    CHECK(cuMemFree(d_out));
    CHECK(cuModuleUnload(module));
    wl_close(&gpu);
    free(in);
    free(out);
    free(want);
    return wl_verdict(ok);
}
