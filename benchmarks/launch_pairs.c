/*
 * launch_pairs: a long-lived launch benchmark driven from standard input, so a controller can
 * interleave short bursts on two sessions (replay log on and off) finely and pair them. It
 * sets up a context, loads PTX_FILE and its kernel `tiny` (launched as driver_bench launches
 * it: one block of 256 threads on a 256-float buffer), prints READY, then serves one command
 * a line:
 *   burst N   N asynchronous launches, then cuCtxSynchronize; prints BURST <launches per s>
 *   quit      (or end of input) frees everything, prints PASS, exits 0
 * Every reply is flushed at once. Exit status: 0 after quit or end of input; 1 when a CUDA
 * call fails (the message names the call); 2 for a bad command line or command.
 * Usage: launch_pairs PTX_FILE
 */
#include <cuda.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BURST 1000000000L

#define CHECK(call) do { CUresult r_ = (call); if (r_ != CUDA_SUCCESS) { const char *n_ = "?"; \
    cuGetErrorName(r_, &n_); fprintf(stderr, "launch_pairs: %s failed: %s (%d)\n", #call, n_, (int) r_); \
    exit(1); } } while (0)

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Parses the count of "burst N"; returns -1 unless it is a whole number in 1..MAX_BURST. */
static long burst_count(const char *text) {
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    while (*end == ' ' || *end == '\t') end++;
    if (errno != 0 || end == text || *end != '\0' || n < 1 || n > MAX_BURST) return -1;
    return n;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: launch_pairs PTX_FILE\n");
        return 2;
    }
    CUdevice dev;
    CUcontext ctx;
    CUmodule mod;
    CUfunction fn;
    CHECK(cuInit(0));
    CHECK(cuDeviceGet(&dev, 0));
    CHECK(cuDevicePrimaryCtxRetain(&ctx, dev));
    CHECK(cuCtxSetCurrent(ctx));
    CHECK(cuModuleLoad(&mod, argv[1]));
    CHECK(cuModuleGetFunction(&fn, mod, "tiny"));
    int n = 256;
    CUdeviceptr buf;
    CHECK(cuMemAlloc(&buf, n * sizeof(float)));
    CHECK(cuMemsetD32(buf, 0, n));
    CHECK(cuCtxSynchronize());
    void *params[] = {&buf, &n};
    printf("READY\n");
    fflush(stdout);

    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            fprintf(stderr, "launch_pairs: command longer than %zu characters\n", sizeof line - 2);
            return 2;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (strcmp(line, "quit") == 0) break;
        if (strncmp(line, "burst ", 6) != 0) {
            fprintf(stderr, "launch_pairs: unknown command '%s'; expected 'burst N' or 'quit'\n", line);
            return 2;
        }
        long count = burst_count(line + 6);
        if (count < 0) {
            fprintf(stderr, "launch_pairs: bad burst size '%s'; expected a whole number in 1..%ld\n",
                    line + 6, MAX_BURST);
            return 2;
        }
        double t0 = now();
        for (long i = 0; i < count; i++) CHECK(cuLaunchKernel(fn, 1, 1, 1, 256, 1, 1, 0, 0, params, NULL));
        CHECK(cuCtxSynchronize());
        double seconds = now() - t0;
        printf("BURST %.6e\n", count / seconds);
        fflush(stdout);
    }
    CHECK(cuMemFree(buf));
    CHECK(cuModuleUnload(mod));
    CHECK(cuDevicePrimaryCtxRelease(dev));
    printf("PASS\n");
    fflush(stdout);
    return 0;
}
