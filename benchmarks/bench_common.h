/*
 * What driver_bench and launch_pairs share: the CHECK macro (define BENCH_NAME, the program's
 * name for messages, before including), a monotonic clock, and the setup of their launch test:
 * a context on device 0, PTX_FILE's kernel `tiny` and the 256-float buffer it is launched on
 * (one block of 256 threads).
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

/* The launch test's setup; *buf holds TINY_THREADS floats set to zero, the device is idle. */
static inline void bench_open_tiny(const char *ptx, CUdevice *dev, CUcontext *ctx, CUmodule *mod, CUfunction *fn,
                                   CUdeviceptr *buf) {
    CHECK(cuInit(0));
    CHECK(cuDeviceGet(dev, 0));
    CHECK(cuDevicePrimaryCtxRetain(ctx, *dev));
    CHECK(cuCtxSetCurrent(*ctx));
    CHECK(cuModuleLoad(mod, ptx));
    CHECK(cuModuleGetFunction(fn, *mod, "tiny"));
    CHECK(cuMemAlloc(buf, TINY_THREADS * sizeof(float)));
    CHECK(cuMemsetD32(*buf, 0, TINY_THREADS));
    CHECK(cuCtxSynchronize());
}

#endif
