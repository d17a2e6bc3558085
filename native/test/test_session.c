/*
 * Runs a client in a child process against the in-process fake agent and worker
 * (fake_worker.c) and checks both sides: what the program sees through the CUDA API, and what
 * went over the wire (handshake, sequence numbers, REPLY_WANTED only on calls, 16 MiB copy
 * chunks, PTX without its NUL, GOODBYE at exit, host memory never sent).
 * This tests the client library's protocol behaviour, not the Java worker.
 * Usage: test_session LIBRARY
 */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "cuda.h"
#include "fake_worker.h"

#define BIG_COPY ((40u << 20) + 3) /* three chunks: 16 MiB, 16 MiB, 8 MiB + 3 */
#define LAUNCHES 20000

static const char ptx[] = "//\n.version 8.8\n.target sm_90\n.address_size 64\n.visible .entry axpy()\n{\n}\n";
static void *lib;

#define FN(type, name) ((type)dlsym(lib, name))
typedef CUresult (*fn_void)(void);
typedef CUresult (*fn_ptr)(void *);
typedef CUresult (*fn_ptr_int)(void *, int);

static void *thread_current(void *unused)
{
    (void)unused;
    CUcontext ctx = (CUcontext)1;
    CUresult rc = FN(CUresult (*)(CUcontext *), "cuCtxGetCurrent")(&ctx);
    return (void *)(uintptr_t)(rc == CUDA_SUCCESS && ctx == NULL);
}

static void devices(void)
{
    int count = 0, version = 0, major = 0, minor = 0, attr = 0;
    CUdevice dev = -1;
    char name[64];
    size_t total = 0;
    CUuuid uuid;
    CHECK_EQ(FN(CUresult (*)(unsigned), "cuInit")(0), CUDA_SUCCESS);
    CHECK_EQ(FN(fn_ptr, "cuDriverGetVersion")(&version), CUDA_SUCCESS);
    CHECK_EQ(version, FAKE_DRIVER_VERSION);
    CHECK_EQ(FN(fn_ptr, "cuDeviceGetCount")(&count), CUDA_SUCCESS);
    CHECK_EQ(count, 1);
    CHECK_EQ(FN(fn_ptr_int, "cuDeviceGet")(&dev, 1), CUDA_ERROR_INVALID_DEVICE);
    CHECK_EQ(FN(fn_ptr_int, "cuDeviceGet")(&dev, 0), CUDA_SUCCESS);
    CHECK_EQ(FN(CUresult (*)(char *, int, CUdevice), "cuDeviceGetName")(name, sizeof name, dev), 0);
    CHECK(strcmp(name, "Fake H200") == 0, "name '%s'", name);
    CHECK_EQ(FN(CUresult (*)(int *, int *, CUdevice), "cuDeviceComputeCapability")(&major, &minor, dev), 0);
    CHECK(major == 9 && minor == 0, "compute capability %d.%d", major, minor);
    CHECK_EQ(FN(CUresult (*)(size_t *, CUdevice), "cuDeviceTotalMem_v2")(&total, dev), 0);
    CHECK_EQ(total, 80ull << 30);
    CHECK_EQ(FN(CUresult (*)(CUuuid *, CUdevice), "cuDeviceGetUuid_v2")(&uuid, dev), 0);
    CHECK_EQ((uint8_t)uuid.bytes[15], 0xAF);
    CUresult (*get_attr)(int *, CUdevice_attribute, CUdevice) = FN(CUresult (*)(int *, CUdevice_attribute, CUdevice), "cuDeviceGetAttribute");
    CHECK_EQ(get_attr(&attr, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, dev), 0);
    CHECK_EQ(attr, 1024);
    CHECK_EQ(get_attr(&attr, (CUdevice_attribute)0, dev), CUDA_ERROR_INVALID_VALUE);
    CHECK_EQ(get_attr(&attr, CU_DEVICE_ATTRIBUTE_MAX, dev), CUDA_ERROR_INVALID_VALUE);
    attr = -1; /* known to the API, not reported by the (fake) worker's 100 attributes: 0 */
    CHECK_EQ(get_attr(&attr, (CUdevice_attribute)120, dev), CUDA_SUCCESS);
    CHECK_EQ(attr, 0);
}

static CUcontext contexts(void)
{
    CUcontext ctx = NULL, current = NULL, primary = NULL, popped = NULL;
    CUdeviceptr p;
    unsigned int flags = 0;
    int active = 0;
    CHECK_EQ(FN(CUresult (*)(CUdeviceptr *, size_t), "cuMemAlloc_v2")(&p, 16), CUDA_ERROR_INVALID_CONTEXT);
    CHECK_EQ(FN(CUresult (*)(CUcontext *, CUctxCreateParams *, unsigned, CUdevice), "cuCtxCreate_v4")(&ctx, NULL, 4, 0), 0);
    CHECK_EQ(FN(CUresult (*)(CUcontext *), "cuCtxGetCurrent")(&current), 0);
    CHECK(current == ctx && ctx != NULL, "created context is current");
    CHECK_EQ(FN(CUresult (*)(unsigned *), "cuCtxGetFlags")(&flags), 0);
    CHECK_EQ(flags, 4);
    CHECK_EQ(FN(CUresult (*)(unsigned), "cuCtxSetFlags")(CU_CTX_SCHED_BLOCKING_SYNC), 0);
    CHECK_EQ(FN(CUresult (*)(unsigned *), "cuCtxGetFlags")(&flags), 0);
    CHECK_EQ(flags, CU_CTX_SCHED_BLOCKING_SYNC);
    unsigned long long id = 0, other_id = 0;
    CHECK_EQ(FN(CUresult (*)(CUcontext, unsigned long long *), "cuCtxGetId")(NULL, &id), 0);
    CHECK(id != 0, "context id is 0");
    pthread_t t;
    void *other_empty = NULL;
    pthread_create(&t, NULL, thread_current, NULL);
    pthread_join(t, &other_empty);
    CHECK(other_empty != NULL, "a new thread starts with an empty context stack");
    CHECK_EQ(FN(CUresult (*)(CUcontext *, CUdevice), "cuDevicePrimaryCtxRetain")(&primary, 0), 0);
    CHECK(primary != NULL && primary != ctx, "primary context is its own context");
    CHECK_EQ(FN(CUresult (*)(CUdevice, unsigned *, int *), "cuDevicePrimaryCtxGetState")(0, &flags, &active), 0);
    CHECK_EQ(active, 1);
    CHECK_EQ(FN(CUresult (*)(CUcontext), "cuCtxPushCurrent_v2")(primary), 0);
    CHECK_EQ(FN(CUresult (*)(CUcontext *), "cuCtxPopCurrent_v2")(&popped), 0);
    CHECK(popped == primary, "pop returns the pushed context");
    CHECK_EQ(FN(CUresult (*)(CUcontext, unsigned long long *), "cuCtxGetId")(primary, &other_id), 0);
    CHECK(other_id != id, "two contexts share id %llu", id);
    CHECK_EQ(FN(CUresult (*)(CUcontext), "cuCtxDestroy_v2")(primary), CUDA_ERROR_INVALID_CONTEXT);
    CHECK_EQ(FN(CUresult (*)(CUdevice), "cuDevicePrimaryCtxRelease_v2")(0), 0);
    CHECK_EQ(FN(CUresult (*)(CUdevice, unsigned *, int *), "cuDevicePrimaryCtxGetState")(0, &flags, &active), 0);
    CHECK_EQ(active, 0);
    CHECK_EQ(FN(CUresult (*)(CUdevice), "cuDevicePrimaryCtxRelease_v2")(0), CUDA_ERROR_INVALID_CONTEXT);
    CHECK_EQ(FN(CUresult (*)(CUcontext *), "cuCtxGetCurrent")(&current), 0);
    CHECK(current == ctx, "context stack back to the created context");
    return ctx;
}

static void copies(void)
{
    CUresult (*alloc)(CUdeviceptr *, size_t) = FN(CUresult (*)(CUdeviceptr *, size_t), "cuMemAlloc_v2");
    CUresult (*htod)(CUdeviceptr, const void *, size_t) = FN(CUresult (*)(CUdeviceptr, const void *, size_t), "cuMemcpyHtoD_v2");
    CUresult (*dtoh)(void *, CUdeviceptr, size_t) = FN(CUresult (*)(void *, CUdeviceptr, size_t), "cuMemcpyDtoH_v2");
    uint8_t *src = malloc(BIG_COPY), *back = malloc(BIG_COPY);
    for (size_t i = 0; i < BIG_COPY; i++)
        src[i] = (uint8_t)(i * 7 + (i >> 20));
    CUdeviceptr d = 0, d2 = 0;
    CHECK_EQ(alloc(&d, BIG_COPY), 0);
    CHECK_EQ(alloc(&d2, BIG_COPY), 0);
    CHECK_EQ(htod(d, src, BIG_COPY), 0);
    CHECK_EQ(FN(CUresult (*)(CUdeviceptr, CUdeviceptr, size_t), "cuMemcpyDtoD_v2")(d2, d, BIG_COPY), 0);
    CHECK_EQ(dtoh(back, d2, BIG_COPY), 0);
    CHECK(memcmp(src, back, BIG_COPY) == 0, "40 MiB round trip differs");
    CHECK_EQ(FN(CUresult (*)(CUdeviceptr, unsigned, size_t), "cuMemsetD32_v2")(d + 16, 0xDEADBEEF, 4), 0);
    CHECK_EQ(FN(CUresult (*)(CUdeviceptr, unsigned, size_t), "cuMemsetD32_v2")(d + 1, 1, 4), CUDA_ERROR_INVALID_VALUE);
    uint32_t words[6];
    CHECK_EQ(dtoh(words, d + 12, sizeof words), 0);
    CHECK(words[1] == 0xDEADBEEF && words[4] == 0xDEADBEEF && words[5] != 0xDEADBEEF, "memset words %x %x %x",
          words[1], words[4], words[5]);
    /* An invalid copy is pipelined: it succeeds at first and surfaces at the next synchronizing call. */
    CHECK_EQ(htod(0x10, src, 16), CUDA_SUCCESS);
    CHECK_EQ(FN(fn_void, "cuCtxSynchronize")(), CUDA_ERROR_INVALID_VALUE);
    CHECK_EQ(FN(fn_void, "cuCtxSynchronize")(), CUDA_SUCCESS);
    free(src);
    free(back);
}

static void modules_and_launches(void)
{
    CUmodule mod = NULL;
    CUfunction f = NULL, missing = NULL;
    size_t offset = 0, size = 0;
    int attr = 0;
    CUmoduleLoadingMode mode = CU_MODULE_LAZY_LOADING;
    CHECK_EQ(FN(CUresult (*)(CUmoduleLoadingMode *), "cuModuleGetLoadingMode")(&mode), 0);
    CHECK_EQ(mode, CU_MODULE_EAGER_LOADING);
    CHECK_EQ(FN(CUresult (*)(CUmodule *, const void *), "cuModuleLoadData")(&mod, ptx), 0);
    CHECK_EQ(FN(CUresult (*)(CUfunction *, CUmodule, const char *), "cuModuleGetFunction")(&f, mod, "axpy"), 0);
    CHECK_EQ(FN(CUresult (*)(CUfunction *, CUmodule, const char *), "cuModuleGetFunction")(&missing, mod, "nope"),
             CUDA_ERROR_NOT_FOUND);
    CHECK_EQ(FN(CUresult (*)(CUfunction, size_t, size_t *, size_t *), "cuFuncGetParamInfo")(f, 2, &offset, &size), 0);
    CHECK(offset == 16 && size == 8, "param 2 at %zu size %zu", offset, size);
    CHECK_EQ(FN(CUresult (*)(int *, CUfunction_attribute, CUfunction), "cuFuncGetAttribute")(&attr, CU_FUNC_ATTRIBUTE_NUM_REGS, f), 0);
    CHECK_EQ(attr, 1000 + CU_FUNC_ATTRIBUTE_NUM_REGS);

    enum { N = 256 };
    float x[N], y[N], out[N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)i;
        y[i] = 1.0f;
    }
    CUdeviceptr dx, dy;
    FN(CUresult (*)(CUdeviceptr *, size_t), "cuMemAlloc_v2")(&dx, sizeof x);
    FN(CUresult (*)(CUdeviceptr *, size_t), "cuMemAlloc_v2")(&dy, sizeof y);
    FN(CUresult (*)(CUdeviceptr, const void *, size_t), "cuMemcpyHtoD_v2")(dx, x, sizeof x);
    FN(CUresult (*)(CUdeviceptr, const void *, size_t), "cuMemcpyHtoD_v2")(dy, y, sizeof y);
    typedef CUresult (*launch_fn)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                                  CUstream, void **, void **);
    launch_fn launch = FN(launch_fn, "cuLaunchKernel");
    float a = 2.0f;
    void *params[] = { &dx, &a, &dy };
    CHECK_EQ(launch(f, N / 64, 1, 1, 64, 1, 1, 0, NULL, params, NULL), 0);
    /* The same launch through extra, with the program's own buffer: y = 2x + (2x + 1) */
    uint8_t buffer[24] = { 0 };
    size_t buffer_size = sizeof buffer;
    memcpy(buffer, &dx, 8);
    memcpy(buffer + 8, &a, 4);
    memcpy(buffer + 16, &dy, 8);
    void *extra[] = { CU_LAUNCH_PARAM_BUFFER_POINTER, buffer, CU_LAUNCH_PARAM_BUFFER_SIZE, &buffer_size,
                      CU_LAUNCH_PARAM_END };
    CHECK_EQ(launch(f, N / 64, 1, 1, 64, 1, 1, 0, NULL, NULL, extra), 0);
    CHECK_EQ(launch(f, N / 64, 1, 1, 64, 1, 1, 0, NULL, params, extra), CUDA_ERROR_INVALID_VALUE);
    CHECK_EQ(launch(f, 0, 1, 1, 64, 1, 1, 0, NULL, params, NULL), CUDA_ERROR_INVALID_VALUE);
    CHECK_EQ(FN(CUresult (*)(void *, CUdeviceptr, size_t), "cuMemcpyDtoH_v2")(out, dy, sizeof out), 0);
    int wrong = 0;
    for (int i = 0; i < N; i++)
        wrong += out[i] != 4.0f * i + 1.0f;
    CHECK_EQ(wrong, 0);
    /* Many small launches pipelined, then one synchronization. */
    void *one[] = { &dx, &a, &dy };
    CUresult rc = CUDA_SUCCESS;
    for (int i = 0; i < LAUNCHES && rc == CUDA_SUCCESS; i++)
        rc = launch(f, 1, 1, 1, 1, 1, 1, 0, CU_STREAM_PER_THREAD, one, NULL);
    CHECK_EQ(rc, 0);
    CHECK_EQ(FN(fn_void, "cuCtxSynchronize")(), 0);
    CHECK_EQ(FN(CUresult (*)(CUmodule), "cuModuleUnload")(mod), 0);
    CHECK_EQ(FN(CUresult (*)(CUfunction, size_t, size_t *, size_t *), "cuFuncGetParamInfo")(f, 0, &offset, &size),
             CUDA_ERROR_INVALID_HANDLE);
}

static void streams_events_host(void)
{
    CUstream s = NULL;
    CUevent e0 = NULL, e1 = NULL;
    float ms = 0;
    CHECK_EQ(FN(CUresult (*)(CUstream *, unsigned), "cuStreamCreate")(&s, CU_STREAM_NON_BLOCKING), 0);
    CHECK_EQ(FN(CUresult (*)(CUstream), "cuStreamQuery")(s), CUDA_ERROR_NOT_READY);
    CHECK_EQ(FN(CUresult (*)(CUevent *, unsigned), "cuEventCreate")(&e0, 0), 0);
    CHECK_EQ(FN(CUresult (*)(CUevent *, unsigned), "cuEventCreate")(&e1, 0), 0);
    CHECK_EQ(FN(CUresult (*)(CUevent, CUstream), "cuEventRecord")(e0, s), 0);
    CHECK_EQ(FN(CUresult (*)(CUstream, CUevent, unsigned), "cuStreamWaitEvent")(NULL, e0, 0), 0);
    CHECK_EQ(FN(CUresult (*)(CUevent, CUstream), "cuEventRecord")(e1, s), 0);
    CHECK_EQ(FN(CUresult (*)(CUevent), "cuEventSynchronize")(e1), 0);
    CHECK_EQ(FN(CUresult (*)(float *, CUevent, CUevent), "cuEventElapsedTime_v2")(&ms, e0, e1), 0);
    CHECK(ms == 1.5f, "elapsed %f", ms);
    CHECK_EQ(FN(CUresult (*)(CUevent), "cuEventDestroy_v2")(e0), 0);
    CHECK_EQ(FN(CUresult (*)(CUstream), "cuStreamDestroy_v2")(s), 0);

    void *host = NULL;
    unsigned int flags = 0;
    CHECK_EQ(FN(CUresult (*)(void **, size_t, unsigned), "cuMemHostAlloc")(&host, 10000, CU_MEMHOSTALLOC_PORTABLE), 0);
    CHECK(((uintptr_t)host & 4095) == 0, "host allocation %p is not page-aligned", host);
    CHECK_EQ(FN(CUresult (*)(unsigned *, void *), "cuMemHostGetFlags")(&flags, (char *)host + 100), 0);
    CHECK_EQ(flags, CU_MEMHOSTALLOC_PORTABLE);
    CHECK_EQ(FN(CUresult (*)(void *), "cuMemFreeHost")(host), 0);
    CHECK_EQ(FN(CUresult (*)(void *), "cuMemFreeHost")(host), CUDA_ERROR_INVALID_VALUE);
    static char buf[8192];
    CHECK_EQ(FN(CUresult (*)(void *, size_t, unsigned), "cuMemHostRegister_v2")(buf, sizeof buf, 0), 0);
    CHECK_EQ(FN(CUresult (*)(void *, size_t, unsigned), "cuMemHostRegister_v2")(buf + 10, 10, 0),
             CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED);
    CHECK_EQ(FN(CUresult (*)(void *), "cuMemHostUnregister")(buf), 0);
    CHECK_EQ(FN(CUresult (*)(void *), "cuMemHostUnregister")(buf), CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED);
}

/* Several threads share the one connection: each round trip must get its own reply. */
struct worker_args {
    CUcontext ctx;
    int id;
    int failures;
};

static void *copy_worker(void *p)
{
    struct worker_args *w = p;
    uint32_t out[1024], in[1024];
    CUdeviceptr d;
    if (FN(CUresult (*)(CUcontext), "cuCtxSetCurrent")(w->ctx) != 0
        || FN(CUresult (*)(CUdeviceptr *, size_t), "cuMemAlloc_v2")(&d, sizeof out) != 0) {
        w->failures++;
        return NULL;
    }
    for (int round = 0; round < 200; round++) {
        for (int i = 0; i < 1024; i++)
            out[i] = (uint32_t)(w->id << 24 | round << 12 | i);
        if (FN(CUresult (*)(CUdeviceptr, const void *, size_t), "cuMemcpyHtoD_v2")(d, out, sizeof out) != 0
            || FN(CUresult (*)(void *, CUdeviceptr, size_t), "cuMemcpyDtoH_v2")(in, d, sizeof in) != 0
            || memcmp(in, out, sizeof in) != 0)
            w->failures++;
    }
    return NULL;
}

static void threads(CUcontext ctx)
{
    enum { THREADS = 4 };
    pthread_t t[THREADS];
    struct worker_args args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (struct worker_args){ ctx, i + 1, 0 };
        pthread_create(&t[i], NULL, copy_worker, &args[i]);
    }
    int failures = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        failures += args[i].failures;
    }
    CHECK_EQ(failures, 0);
}

static int run_client(const char *path)
{
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
        return 1;
    }
    devices();
    CUcontext ctx = contexts();
    copies();
    threads(ctx);
    modules_and_launches();
    streams_events_host();
    CHECK_EQ(FN(CUresult (*)(CUcontext), "cuCtxDestroy_v2")(ctx), 0);
    return check_result("test_session (client)");
}

/* Child: queues one launch, tells the parent, then makes no further call. */
static void launch_and_idle(const char *path, int ready_fd)
{
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    CUcontext ctx;
    CUmodule mod;
    CUfunction f;
    CUdeviceptr d;
    float a = 1.0f;
    void *params[] = { &d, &a, &d };
    typedef CUresult (*launch_fn)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                                  CUstream, void **, void **);
    int ok = lib && FN(CUresult (*)(unsigned), "cuInit")(0) == 0
             && FN(CUresult (*)(CUcontext *, CUctxCreateParams *, unsigned, CUdevice), "cuCtxCreate_v4")(&ctx, NULL, 0, 0) == 0
             && FN(CUresult (*)(CUmodule *, const void *), "cuModuleLoadData")(&mod, ptx) == 0
             && FN(CUresult (*)(CUfunction *, CUmodule, const char *), "cuModuleGetFunction")(&f, mod, "axpy") == 0
             && FN(CUresult (*)(CUdeviceptr *, size_t), "cuMemAlloc_v2")(&d, 64) == 0
             && FN(launch_fn, "cuLaunchKernel")(f, 1, 1, 1, 16, 1, 1, 0, NULL, params, NULL) == 0;
    char byte = ok ? 'y' : 'n';
    if (write(ready_fd, &byte, 1) != 1)
        _exit(1);
    for (;;)
        pause();
}

/* Queued asynchronous work reaches the worker without any later call (the flusher). */
static void test_idle_program_flushes(const char *path)
{
    char agent[32];
    snprintf(agent, sizeof agent, "127.0.0.1:%d", fake_start());
    setenv("GPUMIGRATE_AGENT", agent, 1);
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        return;
    fflush(NULL);
    pid_t child = fork();
    if (child == 0)
        launch_and_idle(path, pipe_fds[1]);
    char byte = 0;
    CHECK(read(pipe_fds[0], &byte, 1) == 1 && byte == 'y', "child could not queue its launch");
    /* Poll, as a test would with Awaitility: at most 5 s for the launch to arrive. */
    for (int i = 0; i < 5000 && fake_launches() == 0; i++) {
        struct timespec ms = { .tv_nsec = 1000000 };
        nanosleep(&ms, NULL);
    }
    CHECK_EQ(fake_launches(), 1);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    fake_wait();
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

/* Child: large copies, which go through the shared-memory window on a loopback agent. */
static int shm_client(const char *path)
{
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    CUcontext ctx;
    CHECK_EQ(FN(CUresult (*)(unsigned), "cuInit")(0), 0);
    CHECK_EQ(FN(CUresult (*)(CUcontext *, CUctxCreateParams *, unsigned, CUdevice), "cuCtxCreate_v4")(&ctx, NULL, 0, 0), 0);
    CUresult (*htod)(CUdeviceptr, const void *, size_t) = FN(CUresult (*)(CUdeviceptr, const void *, size_t), "cuMemcpyHtoD_v2");
    CUresult (*dtoh)(void *, CUdeviceptr, size_t) = FN(CUresult (*)(void *, CUdeviceptr, size_t), "cuMemcpyDtoH_v2");
    size_t n = BIG_COPY + 3;
    uint8_t *src = malloc(n), *back = calloc(1, n);
    for (size_t i = 0; i < n; i++)
        src[i] = (uint8_t)(i * 13 + (i >> 16));
    CUdeviceptr d = 0;
    CHECK_EQ(FN(CUresult (*)(CUdeviceptr *, size_t), "cuMemAlloc_v2")(&d, n + 64), 0);
    CHECK_EQ(htod(d + 5, src, n), 0);
    uint8_t small[16] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
    CHECK_EQ(htod(d + 5 + 1000, small, sizeof small), 0); /* a socket copy, ordered after the window's */
    memcpy(src + 1000, small, sizeof small);
    CHECK_EQ(dtoh(back, d + 5, n), 0);
    CHECK(memcmp(src, back, n) == 0, "%zu-byte round trip through shared memory differs", n);
    CHECK_EQ(htod(FAKE_BASE + FAKE_MEMORY - 4096, src, n), CUDA_ERROR_INVALID_VALUE); /* out of range: refused at once */
    free(src);
    free(back);
    return check_result("test_session (shared memory client)");
}

/* Large copies on a loopback agent use the window and leave no file behind. */
static void test_shared_memory_copies(const char *path, int moved)
{
    char agent[32];
    fake_forget_window_after(moved ? 3 : 0);
    snprintf(agent, sizeof agent, "127.0.0.1:%d", fake_start());
    setenv("GPUMIGRATE_AGENT", agent, 1);
    unsetenv("GPUMIGRATE_SHM");
    fflush(NULL);
    pid_t child = fork();
    if (child == 0)
        exit(shm_client(path));
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "shared memory client failed (status 0x%x)", status);
    const struct fake_stats *s = fake_wait();
    CHECK(s->protocol_errors == 0, "%d protocol errors, first: %s", s->protocol_errors, s->errors);
    CHECK(s->unknown_ops == 0, "%d ops the fake does not know, the last 0x%04x", s->unknown_ops, s->unknown_op);
    if (moved) {
        /* The window vanished mid-copy: that copy went over the socket, the next one announced a new window. */
        CHECK_EQ(s->shm_attached, 2);
        CHECK(s->htod_largest == 16u << 20, "the interrupted copy did not go over the socket (%llu)",
              (unsigned long long)s->htod_largest);
    } else {
        CHECK_EQ(s->shm_attached, 1);
        CHECK(s->shm_htod >= 5 && s->shm_dtoh >= 5, "40 MiB each way took %llu and %llu window copies",
              (unsigned long long)s->shm_htod, (unsigned long long)s->shm_dtoh);
        CHECK(s->htod_largest <= 16, "a large copy went over the socket (%llu bytes)", (unsigned long long)s->htod_largest);
    }
    char left[64];
    snprintf(left, sizeof left, "ls /dev/shm/gpumigrate-%d-* >/dev/null 2>&1", (int)child);
    CHECK(system(left) != 0, "the window's file outlived the handshake");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s LIBRARY\n", argv[0]);
        return 2;
    }
    char agent[32];
    snprintf(agent, sizeof agent, "127.0.0.1:%d", fake_start());
    setenv("GPUMIGRATE_AGENT", agent, 1);
    setenv("GPUMIGRATE_TOKEN", FAKE_TOKEN, 1);
    setenv("GPUMIGRATE_SHM", "0", 1); /* the socket path first; test_shared_memory_copies the other */
    fflush(NULL);
    pid_t child = fork();
    if (child == 0)
        exit(run_client(argv[1])); /* exit() runs the library's GOODBYE */
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "client process failed (status 0x%x)", status);
    const struct fake_stats *s = fake_wait();
    CHECK(s->hello_ok, "HELLO did not carry the magic, version 1.0, the token and the program name");
    CHECK(s->attach_ok, "ATTACH did not carry the session and secret of HELLO's reply");
    CHECK(s->goodbye, "no GOODBYE at process exit");
    CHECK(s->protocol_errors == 0, "%d protocol errors, first: %s", s->protocol_errors, s->errors);
    CHECK(s->unknown_ops == 0, "%d ops the fake does not know, the last 0x%04x", s->unknown_ops, s->unknown_op);
    CHECK_EQ(s->hello_pid, child);
    CHECK_EQ(s->htod_largest, 16u << 20);
    CHECK(s->htod_frames >= 3, "a 40 MiB copy took %llu frames", (unsigned long long)s->htod_frames);
    CHECK_EQ(s->launches, LAUNCHES + 2);
    CHECK_EQ(s->module_bytes, strlen(ptx));
    CHECK(s->module_last == '\n', "PTX image sent with its NUL");
    test_idle_program_flushes(argv[1]);
    test_shared_memory_copies(argv[1], 0);
    test_shared_memory_copies(argv[1], 1);
    return check_result("test_session");
}
