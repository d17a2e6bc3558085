/*
 * fwd_micro: the forwarding overhead alone, on any backend (the emulator too): operations
 * whose device work is negligible, so what is timed is the path client -> worker -> client.
 *   sync_rtt_us        cuCtxSynchronize with nothing queued: one round trip
 *   memset_sync_us     a 4-byte cuMemsetD32 + cuCtxSynchronize (an ASYNC op, then a SYNC)
 *   async_ops_per_s    4-byte cuMemsetD32 calls (pipelined ASYNC ops), then one synchronize
 * Output like driver_bench: RESULT <measure> <median> <unit> [<samples>].
 * Usage: fwd_micro [--quick]
 */
#include <cuda.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(call) do { CUresult r_ = (call); if (r_ != CUDA_SUCCESS) { \
    fprintf(stderr, "fwd_micro: %s failed: %d at line %d\n", #call, r_, __LINE__); exit(1); } } while (0)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *name, double *v, int n, const char *unit)
{
    double sorted[64];
    memcpy(sorted, v, n * sizeof(double));
    qsort(sorted, n, sizeof(double), cmp);
    printf("RESULT %s %.4g %s [", name, n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2, unit);
    for (int i = 0; i < n; i++)
        printf("%s%.4g", i ? " " : "", v[i]);
    printf("]\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    int reps = quick ? 3 : 7, trips = quick ? 2000 : 10000, ops = quick ? 20000 : 100000;
    CUdevice dev;
    CUcontext ctx;
    CUdeviceptr buf;
    double v[64];
    CHECK(cuInit(0));
    CHECK(cuDeviceGet(&dev, 0));
    CHECK(cuDevicePrimaryCtxRetain(&ctx, dev));
    CHECK(cuCtxSetCurrent(ctx));
    CHECK(cuMemAlloc(&buf, 4096));
    for (int i = 0; i < 1000; i++)
        CHECK(cuCtxSynchronize());

    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (int i = 0; i < trips; i++)
            CHECK(cuCtxSynchronize());
        v[r] = (now() - t0) / trips * 1e6;
    }
    report("sync_rtt_us", v, reps, "us");

    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (int i = 0; i < trips; i++) {
            CHECK(cuMemsetD32(buf, (unsigned)i, 1));
            CHECK(cuCtxSynchronize());
        }
        v[r] = (now() - t0) / trips * 1e6;
    }
    report("memset_sync_us", v, reps, "us");

    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (int i = 0; i < ops; i++)
            CHECK(cuMemsetD32(buf, (unsigned)i, 1));
        CHECK(cuCtxSynchronize());
        v[r] = ops / (now() - t0);
    }
    report("async_ops_per_s", v, reps, "1/s");
    printf("PASS\n");
    return 0;
}
