/*
 * Launch throughput of the client library against the in-process fake worker: a child process
 * queues LAUNCHES kernel launches (the pipelined fast path) and one synchronization, and prints
 * launches per second, best of ROUNDS; then the rate of 64 MiB host-to-device copies. Not a
 * test (nothing is asserted); `make bench` runs it.
 * Usage: bench_launch LIBRARY [LAUNCHES]
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cuda.h"
#include "fake_worker.h"

#define ROUNDS 5

static const char ptx[] = ".version 8.8\n.target sm_90\n.address_size 64\n.visible .entry axpy()\n{\n}\n";

typedef CUresult (*launch_fn)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                              CUstream, void **, void **);

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CPU time (user + system) of this process, the client, in seconds; the fake worker runs in the parent. */
static double cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

static int client(const char *path, long launches)
{
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL)
        return 1;
    CUcontext ctx;
    CUmodule mod;
    CUfunction f;
    CUdeviceptr d;
    float a = 1.0f;
    void *params[] = { &d, &a, &d };
    if (((CUresult (*)(unsigned))dlsym(lib, "cuInit"))(0) != 0
        || ((CUresult (*)(CUcontext *, CUctxCreateParams *, unsigned, CUdevice))dlsym(lib, "cuCtxCreate_v4"))(&ctx, NULL, 0, 0) != 0
        || ((CUresult (*)(CUmodule *, const void *))dlsym(lib, "cuModuleLoadData"))(&mod, ptx) != 0
        || ((CUresult (*)(CUfunction *, CUmodule, const char *))dlsym(lib, "cuModuleGetFunction"))(&f, mod, "axpy") != 0
        || ((CUresult (*)(CUdeviceptr *, size_t))dlsym(lib, "cuMemAlloc_v2"))(&d, 64) != 0)
        return 1;
    launch_fn launch = (launch_fn)dlsym(lib, "cuLaunchKernel");
    CUresult (*sync)(void) = (CUresult (*)(void))dlsym(lib, "cuCtxSynchronize");
    double best = 0, best_cpu = 1e9;
    for (int round = 0; round < ROUNDS; round++) {
        double start = now_s(), cpu_start = cpu_s();
        for (long i = 0; i < launches; i++)
            if (launch(f, 1, 1, 1, 1, 1, 1, 0, NULL, params, NULL) != 0)
                return 1;
        if (sync() != 0)
            return 1;
        double rate = (double)launches / (now_s() - start);
        double cpu = (cpu_s() - cpu_start) / (double)launches * 1e6;
        if (rate > best)
            best = rate;
        if (cpu < best_cpu)
            best_cpu = cpu;
    }
    enum { COPY = 64 << 20 };
    CUdeviceptr big;
    char *host = calloc(1, COPY);
    CUresult (*htod)(CUdeviceptr, const void *, size_t) = (CUresult (*)(CUdeviceptr, const void *, size_t))dlsym(lib, "cuMemcpyHtoD_v2");
    double best_copy = 0;
    if (((CUresult (*)(CUdeviceptr *, size_t))dlsym(lib, "cuMemAlloc_v2"))(&big, COPY) != 0)
        return 1;
    for (int round = 0; round < ROUNDS; round++) {
        double start = now_s();
        if (htod(big, host, COPY) != 0 || sync() != 0)
            return 1;
        double rate = COPY / (now_s() - start) / 1e6;
        if (rate > best_copy)
            best_copy = rate;
    }
    free(host);
    printf("bench_launch: host-to-device copies of 64 MiB: %.0f MB/s (best of %d)\n", best_copy, ROUNDS);
    printf("bench_launch: %.0f launches/s, %.2f us of client CPU per launch (best of %d rounds of %ld, fake worker on loopback)\n",
           best, best_cpu, ROUNDS, launches);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s LIBRARY [LAUNCHES]\n", argv[0]);
        return 2;
    }
    long launches = argc > 2 ? atol(argv[2]) : 200000;
    char agent[32];
    snprintf(agent, sizeof agent, "127.0.0.1:%d", fake_start());
    setenv("GPUMIGRATE_AGENT", agent, 1);
    setenv("GPUMIGRATE_TOKEN", FAKE_TOKEN, 1);
    fflush(NULL);
    pid_t child = fork();
    if (child == 0)
        exit(client(argv[1], launches));
    int status = 0;
    waitpid(child, &status, 0);
    fake_wait();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
