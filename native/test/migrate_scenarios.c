/* The client programs of test_migrate; see migrate_scenarios.h. */
#include "migrate_scenarios.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cuda.h"

#define N (1u << 14) /* elements of x and y */

static const char ptx[] = ".version 8.8\n.target sm_90\n.address_size 64\n.visible .entry axpy()\n{\n}\n";

typedef CUresult (*launch_fn)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                              CUstream, void **, void **);

static struct {
    CUresult (*init)(unsigned);
    CUresult (*ctx_create)(CUcontext *, CUctxCreateParams *, unsigned, CUdevice);
    CUresult (*ctx_set)(CUcontext);
    CUresult (*ctx_sync)(void);
    CUresult (*load)(CUmodule *, const void *);
    CUresult (*function)(CUfunction *, CUmodule, const char *);
    CUresult (*alloc)(CUdeviceptr *, size_t);
    CUresult (*htod)(CUdeviceptr, const void *, size_t);
    CUresult (*dtoh)(void *, CUdeviceptr, size_t);
    launch_fn launch;
} cu;

/* The program's state: x holds x_host, y starts at 0. */
static CUcontext ctx;
static CUfunction axpy;
static CUdeviceptr x, y;
static float x_host[N], y_host[N];
static float one = 1.0f;

static int load(const char *path)
{
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL)
        return -1;
    cu.init = (CUresult (*)(unsigned))dlsym(lib, "cuInit");
    cu.ctx_create = (CUresult (*)(CUcontext *, CUctxCreateParams *, unsigned, CUdevice))dlsym(lib, "cuCtxCreate_v4");
    cu.ctx_set = (CUresult (*)(CUcontext))dlsym(lib, "cuCtxSetCurrent");
    cu.ctx_sync = (CUresult (*)(void))dlsym(lib, "cuCtxSynchronize");
    cu.load = (CUresult (*)(CUmodule *, const void *))dlsym(lib, "cuModuleLoadData");
    cu.function = (CUresult (*)(CUfunction *, CUmodule, const char *))dlsym(lib, "cuModuleGetFunction");
    cu.alloc = (CUresult (*)(CUdeviceptr *, size_t))dlsym(lib, "cuMemAlloc_v2");
    cu.htod = (CUresult (*)(CUdeviceptr, const void *, size_t))dlsym(lib, "cuMemcpyHtoD_v2");
    cu.dtoh = (CUresult (*)(void *, CUdeviceptr, size_t))dlsym(lib, "cuMemcpyDtoH_v2");
    cu.launch = (launch_fn)dlsym(lib, "cuLaunchKernel");
    return 0;
}

/* The common start (seqs 1-8); 0 when every step succeeded. */
static int start(const char *path)
{
    CUmodule mod;
    static const float zeros[N];
    for (unsigned i = 0; i < N; i++)
        x_host[i] = (float)(i % 5 + 1);
    int ok = load(path) == 0 && cu.init(0) == 0 && cu.ctx_create(&ctx, NULL, 0, 0) == 0 && cu.load(&mod, ptx) == 0
             && cu.function(&axpy, mod, "axpy") == 0 && cu.alloc(&x, sizeof x_host) == 0
             && cu.alloc(&y, sizeof y_host) == 0 && cu.htod(x, x_host, sizeof x_host) == 0
             && cu.htod(y, zeros, sizeof zeros) == 0;
    CHECK(ok, "the program's start failed");
    return ok ? 0 : -1;
}

/* y += x over all N elements (grid 64 x block 256). */
static CUresult add_x(void)
{
    void *params[] = { &x, &one, &y };
    return cu.launch(axpy, N / 256, 1, 1, 256, 1, 1, 0, NULL, params, NULL);
}

static CUresult add_x_times(int n)
{
    CUresult rc = CUDA_SUCCESS;
    for (int i = 0; i < n && rc == CUDA_SUCCESS; i++)
        rc = add_x();
    return rc;
}

/* Reads y back and counts elements that are not k * x. */
static int y_is(int k)
{
    CUresult rc = cu.dtoh(y_host, y, sizeof y_host);
    CHECK_EQ(rc, CUDA_SUCCESS);
    int wrong = 0;
    for (unsigned i = 0; i < N; i++)
        wrong += y_host[i] != (float)k * x_host[i];
    CHECK(rc != CUDA_SUCCESS || wrong == 0, "%d elements of y differ from %d x (y[0] = %g)", wrong, k, y_host[0]);
    return wrong == 0;
}

int program_sync_then_more(const char *lib)
{
    if (start(lib) == 0) {
        CHECK_EQ(add_x_times(5), CUDA_SUCCESS);
        CHECK_EQ(cu.ctx_sync(), CUDA_SUCCESS);
        CHECK_EQ(add_x_times(5), CUDA_SUCCESS);
        y_is(10);
    }
    return check_result("program_sync_then_more");
}

int program_two_reads(const char *lib)
{
    if (start(lib) == 0) {
        CHECK_EQ(add_x_times(3), CUDA_SUCCESS);
        y_is(3);
        CHECK_EQ(add_x_times(2), CUDA_SUCCESS);
        y_is(5);
    }
    return check_result("program_two_reads");
}

int program_two_reads_then_attached(const char *lib)
{
    for (int round = 0; round < 2; round++) {
        if (round == 1)
            setenv("GPUMIGRATE_SESSION", "42", 1);
        fflush(NULL);
        pid_t child = fork();
        if (child == 0)
            exit(program_two_reads(lib));
        int status = 0;
        waitpid(child, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "program %d of 2 failed (status 0x%x)", round + 1,
              status);
    }
    return check_result("program_two_reads_then_attached");
}

int program_idle_after_read(const char *lib)
{
    if (start(lib) == 0) {
        CHECK_EQ(add_x_times(3), CUDA_SUCCESS);
        y_is(3);
        char byte;
        CHECK(read(atoi(getenv("TEST_ATTACH_PIPE")), &byte, 1) == 1, "no word that the new worker attached");
        CHECK_EQ(add_x_times(2), CUDA_SUCCESS);
        y_is(5);
    }
    return check_result("program_idle_after_read");
}

int program_burst(const char *lib)
{
    enum { ROUNDS = 300 };
    static float chunk[N];
    if (start(lib) == 0) {
        CUresult rc = CUDA_SUCCESS;
        for (int round = 0; round < ROUNDS && rc == CUDA_SUCCESS; round++) {
            for (unsigned i = 0; i < N; i++)
                chunk[i] = (float)((round + i) % 7 + 1); /* the same buffer, rewritten each round */
            rc = cu.htod(x, chunk, sizeof chunk);
            if (rc == CUDA_SUCCESS)
                rc = add_x();
        }
        CHECK_EQ(rc, CUDA_SUCCESS);
        CHECK_EQ(cu.dtoh(y_host, y, sizeof y_host), CUDA_SUCCESS);
        int wrong = 0;
        for (unsigned i = 0; i < N; i++) {
            float expected = 0;
            for (int round = 0; round < ROUNDS; round++)
                expected += (float)((round + i) % 7 + 1);
            wrong += y_host[i] != expected;
        }
        CHECK(wrong == 0, "%d elements of y are wrong after the burst", wrong);
    }
    return check_result("program_burst");
}

int program_many_bytes(const char *lib)
{
    if (start(lib) == 0) {
        CUresult rc = CUDA_SUCCESS;
        for (int i = 0; i < 64 && rc == CUDA_SUCCESS; i++) {
            rc = cu.htod(x, x_host, sizeof x_host);
            if (rc == CUDA_SUCCESS)
                rc = add_x();
        }
        CHECK_EQ(rc, CUDA_SUCCESS);
        y_is(64);
    }
    return check_result("program_many_bytes");
}

int program_many_frames(const char *lib)
{
    enum { LAUNCHES = 140000 };
    if (start(lib) == 0) {
        void *params[] = { &x, &one, &y };
        CUresult rc = CUDA_SUCCESS;
        for (int i = 0; i < LAUNCHES && rc == CUDA_SUCCESS; i++)
            rc = cu.launch(axpy, 1, 1, 1, 1, 1, 1, 0, NULL, params, NULL); /* y[0] += x[0] */
        CHECK_EQ(rc, CUDA_SUCCESS);
        float first = 0;
        CHECK_EQ(cu.dtoh(&first, y, sizeof first), CUDA_SUCCESS);
        CHECK(first == (float)LAUNCHES * x_host[0], "y[0] = %g after %d launches", first, LAUNCHES);
    }
    return check_result("program_many_frames");
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int program_nobody_answers(const char *lib)
{
    if (start(lib) == 0) {
        CHECK_EQ(add_x_times(3), CUDA_SUCCESS);
        double started = now_s();
        CHECK_EQ(cu.dtoh(y_host, y, sizeof y_host), CUDA_ERROR_DEVICE_UNAVAILABLE);
        double waited = now_s() - started;
        const char *name = getenv("GPUMIGRATE_RESTORE_TIMEOUT") ? "GPUMIGRATE_RESTORE_TIMEOUT"
                                                                  : "GPUMIGRATE_RECONNECT_TIMEOUT";
        const char *timeout = getenv(name);
        CHECK(waited >= atof(timeout), "gave up after %.3f s, before %s=%s", waited, name, timeout);
        CHECK_EQ(add_x(), CUDA_ERROR_DEVICE_UNAVAILABLE);
        CHECK_EQ(cu.ctx_sync(), CUDA_ERROR_DEVICE_UNAVAILABLE);
        CUdeviceptr more;
        CHECK_EQ(cu.alloc(&more, 64), CUDA_ERROR_DEVICE_UNAVAILABLE);
    }
    return check_result("program_nobody_answers");
}

struct copier {
    int id;
    int failures;
};

static void *copy_rounds(void *arg)
{
    struct copier *c = arg;
    uint32_t out[1024], in[1024];
    CUdeviceptr d;
    if (cu.ctx_set(ctx) != 0 || cu.alloc(&d, sizeof out) != 0) {
        c->failures++;
        return NULL;
    }
    for (int round = 0; round < 200; round++) {
        for (int i = 0; i < 1024; i++)
            out[i] = (uint32_t)(c->id << 24 | round << 12 | i);
        if (cu.htod(d, out, sizeof out) != 0 || cu.dtoh(in, d, sizeof in) != 0 || memcmp(in, out, sizeof in) != 0)
            c->failures++;
    }
    return NULL;
}

int program_threads(const char *lib)
{
    enum { THREADS = 4 };
    if (load(lib) == 0 && cu.init(0) == 0 && cu.ctx_create(&ctx, NULL, 0, 0) == 0) {
        pthread_t t[THREADS];
        struct copier c[THREADS];
        for (int i = 0; i < THREADS; i++) {
            c[i] = (struct copier){ i + 1, 0 };
            pthread_create(&t[i], NULL, copy_rounds, &c[i]);
        }
        int failures = 0;
        for (int i = 0; i < THREADS; i++) {
            pthread_join(t[i], NULL);
            failures += c[i].failures;
        }
        CHECK_EQ(failures, 0);
    } else {
        CHECK(0, "the program's start failed");
    }
    return check_result("program_threads");
}
