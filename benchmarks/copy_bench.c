/*
 * copy_bench: the plain device-to-host copy that migration throughput is compared with
 * (issue 5): times one copy of MIB mebibytes from device memory into pinned and into
 * pageable host memory, natively. Prints
 *   RESULT dtoh_pinned_<MIB>MiB_GBps <median> GB/s [samples]
 *   RESULT dtoh_pageable_<MIB>MiB_GBps <median> GB/s [samples]
 * Usage: copy_bench MIB [REPEATS]
 */
#include <cuda.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(call) do { CUresult r_ = (call); if (r_ != CUDA_SUCCESS) { const char *n_ = "?"; \
    cuGetErrorName(r_, &n_); fprintf(stderr, "copy_bench: %s failed: %s (%d)\n", #call, n_, r_); exit(1); } } while (0)

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static void report(const char *what, long mib, double *v, int n) {
    double s[32];
    memcpy(s, v, n * sizeof(double));
    qsort(s, n, sizeof(double), cmp);
    printf("RESULT dtoh_%s_%ldMiB_GBps %.4g GB/s [", what, mib, n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2);
    for (int i = 0; i < n; i++) printf("%s%.4g", i ? " " : "", v[i]);
    printf("]\n");
}

int main(int argc, char **argv) {
    if (argc < 2 || atol(argv[1]) <= 0) {
        fprintf(stderr, "usage: copy_bench MIB [REPEATS]\n");
        return 2;
    }
    long mib = atol(argv[1]);
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    if (reps < 1 || reps > 32) reps = 3;
    size_t bytes = (size_t) mib << 20;
    CUdevice dev;
    CUcontext ctx;
    CUdeviceptr d;
    void *pinned;
    double v[32];
    CHECK(cuInit(0));
    CHECK(cuDeviceGet(&dev, 0));
    CHECK(cuDevicePrimaryCtxRetain(&ctx, dev));
    CHECK(cuCtxSetCurrent(ctx));
    CHECK(cuMemAlloc(&d, bytes));
    CHECK(cuMemsetD32(d, 0x3f800000u, bytes / 4));
    CHECK(cuMemAllocHost(&pinned, bytes));
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        CHECK(cuMemcpyDtoH(pinned, d, bytes));
        v[r] = bytes / (now() - t0) / 1e9;
    }
    report("pinned", mib, v, reps);
    CHECK(cuMemFreeHost(pinned));
    char *pageable = malloc(bytes);
    if (!pageable) { fprintf(stderr, "copy_bench: out of host memory\n"); return 1; }
    memset(pageable, 1, bytes);
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        CHECK(cuMemcpyDtoH(pageable, d, bytes));
        v[r] = bytes / (now() - t0) / 1e9;
    }
    report("pageable", mib, v, reps);
    free(pageable);
    CHECK(cuMemFree(d));
    CHECK(cuDevicePrimaryCtxRelease(dev));
    return 0;
}
