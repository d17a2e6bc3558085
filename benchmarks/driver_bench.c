/*
 * driver_bench: the forwarding benchmark of issue 4. The same binary runs natively (NVIDIA's
 * libcuda.so.1) and forwarded (gpumigrate's libcuda.so.1 through `gpumigrate run`), so both
 * sides execute identical host code. Each measure is repeated and its median printed as
 *   RESULT <measure> <median> <unit> [<all samples>]
 * Usage: driver_bench PTX_FILE [--quick]
 */
#define BENCH_NAME "driver_bench"
#include "bench_common.h"
#include <string.h>

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static void report(const char *name, double *v, int n, const char *unit) {
    double sorted[64];
    memcpy(sorted, v, n * sizeof(double));
    qsort(sorted, n, sizeof(double), cmp);
    double med = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    printf("RESULT %s %.4g %s [", name, med, unit);
    for (int i = 0; i < n; i++) printf("%s%.4g", i ? " " : "", v[i]);
    printf("]\n");
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: driver_bench PTX_FILE [--quick]\n");
        return 2;
    }
    int quick = argc > 2 && strcmp(argv[2], "--quick") == 0;
    int reps = quick ? 3 : 7;
    tiny_test t;
    tiny_open(argv[1], &t);
    double v[64];

    /* asynchronous launches per second */
    int launches = quick ? 20000 : 100000;
    for (int w = 0; w < 1000; w++) CHECK(tiny_launch(&t));
    CHECK(cuCtxSynchronize());
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        for (int i = 0; i < launches; i++) CHECK(tiny_launch(&t));
        CHECK(cuCtxSynchronize());
        v[r] = launches / (bench_now() - t0);
    }
    report("launches_per_s", v, reps, "1/s");

    /* launch + synchronize round trip */
    int trips = quick ? 500 : 2000;
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        for (int i = 0; i < trips; i++) {
            CHECK(tiny_launch(&t));
            CHECK(cuCtxSynchronize());
        }
        v[r] = (bench_now() - t0) / trips * 1e6;
    }
    report("launch_sync_us", v, reps, "us");

    /* 256 MiB copies from and to pageable memory */
    size_t bytes = (size_t) (quick ? 64 : 256) << 20;
    unsigned char *host = malloc(bytes);
    if (!host) { fprintf(stderr, "driver_bench: out of host memory\n"); return 1; }
    for (size_t i = 0; i < bytes; i++) host[i] = (unsigned char) (i * 131 + 7);
    CUdeviceptr big;
    CHECK(cuMemAlloc(&big, bytes));
    CHECK(cuMemcpyHtoD(big, host, bytes));
    CHECK(cuCtxSynchronize());
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        CHECK(cuMemcpyHtoD(big, host, bytes));
        CHECK(cuCtxSynchronize());
        v[r] = bytes / (bench_now() - t0) / 1e9;
    }
    report("htod_pageable_GBps", v, reps, "GB/s");
    for (int r = 0; r < reps; r++) {
        memset(host, 0, 4096);
        double t0 = bench_now();
        CHECK(cuMemcpyDtoH(host, big, bytes));
        v[r] = bytes / (bench_now() - t0) / 1e9;
    }
    report("dtoh_pageable_GBps", v, reps, "GB/s");
    int ok = 1;
    for (size_t i = 0; i < bytes; i += 4093) ok &= host[i] == (unsigned char) (i * 131 + 7);
    CHECK(cuMemFree(big));
    tiny_close(&t);
    free(host);
    printf("%s\n", ok ? "PASS" : "FAIL: copied data differs");
    return ok ? 0 : 1;
}
