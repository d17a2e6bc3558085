/*
 * What driver_bench and launch_pairs share: the CHECK macro (define BENCH_NAME, the program's
 * name for messages, before including), a monotonic clock, and their launch test (tiny_test).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <cuda.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHECK(call) do { CUresult r_ = (call); if (r_ != CUDA_SUCCESS) { const char *n_ = "?"; \
    cuGetErrorName(r_, &n_); fprintf(stderr, "%s: %s failed: %s (%d) at line %d\n", BENCH_NAME, #call, n_, \
    (int) r_, __LINE__); exit(1); } } while (0)

#define TINY_THREADS 256

static inline double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The launch test: kernel `tiny` launched as one block of TINY_THREADS threads on as many floats. */
typedef struct {
    CUdevice dev;
    CUcontext ctx;
    CUmodule mod;
    CUfunction fn;
    CUdeviceptr buf;
    int n;
    void *params[2];
} tiny_test;

/* Sets the launch test up: a context on device 0, PTX_FILE's `tiny`, its buffer zeroed; the device is idle. */
static inline void tiny_open(const char *ptx, tiny_test *t) {
    CHECK(cuInit(0));
    CHECK(cuDeviceGet(&t->dev, 0));
    CHECK(cuDevicePrimaryCtxRetain(&t->ctx, t->dev));
    CHECK(cuCtxSetCurrent(t->ctx));
    CHECK(cuModuleLoad(&t->mod, ptx));
    CHECK(cuModuleGetFunction(&t->fn, t->mod, "tiny"));
    t->n = TINY_THREADS;
    CHECK(cuMemAlloc(&t->buf, t->n * sizeof(float)));
    CHECK(cuMemsetD32(t->buf, 0, t->n));
    CHECK(cuCtxSynchronize());
    t->params[0] = &t->buf;
    t->params[1] = &t->n;
}

/* One asynchronous launch of `tiny`. */
static inline CUresult tiny_launch(tiny_test *t) {
    return cuLaunchKernel(t->fn, 1, 1, 1, TINY_THREADS, 1, 1, 0, 0, t->params, NULL);
}

/* Frees what tiny_open made. */
static inline void tiny_close(tiny_test *t) {
    CHECK(cuMemFree(t->buf));
    CHECK(cuModuleUnload(t->mod));
    CHECK(cuDevicePrimaryCtxRelease(t->dev));
}

#endif
