/*
 * A stand-in for NVIDIA's libcuda.so.1, for testing the CUDA backend's Java side on machines
 * without a GPU. It exports the driver symbols CudaDriver binds (not cuFuncGetParamInfo, so the
 * PTX fallback runs), checks the arguments the way the driver does where the Java side could
 * get them wrong (struct contents, the launch's extra array and parameter size, a current
 * context on the calling thread), keeps "device" memory in host pages mapped at the device
 * addresses, and runs the contract's and the smoke test's kernels on the CPU.
 *
 * Build: gcc -shared -fPIC -O1 -o libfakecuda.so fake_libcuda.c
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* Linux 4.17; older kernels take it as a plain hint */
#endif

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

enum { OK = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3, INVALID_PTX = 218,
       INVALID_CONTEXT = 201, INVALID_HANDLE = 400, NOT_FOUND = 500, NOT_READY = 600, NOT_SUPPORTED = 801 };

#define TOTAL_MEMORY (1ULL << 30)
#define GRANULARITY (2ULL << 20)

static int initialised;
static char primary_context;
static __thread void *current;
static unsigned long long used;

#define NEED_CONTEXT() do { if (!initialised) return NOT_INITIALIZED; \
                            if (current != &primary_context) return INVALID_CONTEXT; } while (0)

int fake_cuda_marker(void) { return 1; }

CUresult cuInit(unsigned flags) { initialised = flags == 0; return flags == 0 ? OK : INVALID_VALUE; }
CUresult cuDriverGetVersion(int *v) { *v = 13000; return OK; }
CUresult cuDeviceGetCount(int *n) { *n = 1; return initialised ? OK : NOT_INITIALIZED; }
CUresult cuDeviceGet(int *d, int ordinal) { if (ordinal != 0) return 101; *d = 0; return OK; }
CUresult cuDeviceGetName(char *name, int len, int dev) { strncpy(name, "Fake H200", len); return dev == 0 ? OK : 101; }
CUresult cuDeviceGetUuid_v2(unsigned char *uuid, int dev) { for (int i = 0; i < 16; i++) uuid[i] = (unsigned char) (i * 17); return OK; }
CUresult cuDeviceTotalMem_v2(size_t *bytes, int dev) { *bytes = TOTAL_MEMORY; return OK; }

CUresult cuDeviceGetAttribute(int *v, int attribute, int dev) {
    if (attribute < 1 || attribute > 147) return INVALID_VALUE;
    switch (attribute) {
    case 1: *v = 1024; break;   /* max threads per block */
    case 8: *v = 49152; break;  /* shared memory per block */
    case 10: *v = 32; break;    /* warp size */
    case 16: *v = 132; break;   /* multiprocessors */
    case 75: *v = 9; break;     /* compute capability major */
    case 102: *v = 1; break;    /* virtual memory management */
    default: *v = attribute * 1000;
    }
    return OK;
}

static const char *names[] = { [0] = "CUDA_SUCCESS", [1] = "CUDA_ERROR_INVALID_VALUE", [2] = "CUDA_ERROR_OUT_OF_MEMORY" };
CUresult cuGetErrorName(int e, const char **s) {
    if (e >= 0 && e < 3) { *s = names[e]; return OK; }
    if (e == INVALID_PTX) { *s = "CUDA_ERROR_INVALID_PTX"; return OK; }
    if (e == NOT_FOUND) { *s = "CUDA_ERROR_NOT_FOUND"; return OK; }
    if (e == INVALID_HANDLE) { *s = "CUDA_ERROR_INVALID_HANDLE"; return OK; }
    *s = NULL;
    return INVALID_VALUE;
}
CUresult cuGetErrorString(int e, const char **s) { *s = "described by the fake driver"; return OK; }

static int retained;
CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) { retained++; *ctx = &primary_context; return OK; }
CUresult cuDevicePrimaryCtxRelease_v2(int dev) { if (retained == 0) return INVALID_CONTEXT; retained--; return OK; }
CUresult cuCtxSetCurrent(void *ctx) { if (ctx && ctx != &primary_context) return INVALID_CONTEXT; current = ctx; return OK; }
CUresult cuCtxSynchronize(void) { NEED_CONTEXT(); return OK; }

/* ---- virtual memory management: device addresses are host addresses here ---- */

struct prop { int type, handle_types, location_type, location_id; void *win32; unsigned char flags[8]; };
struct access { int location_type, location_id, flags; };
struct handle { size_t size; };

static int prop_ok(const struct prop *p) {
    static const unsigned char zero[8];
    return p->type == 1 && p->handle_types == 0 && p->location_type == 1 && p->location_id == 0
        && p->win32 == NULL && memcmp(p->flags, zero, 8) == 0;
}

CUresult cuMemGetAllocationGranularity(size_t *g, const struct prop *p, int option) {
    NEED_CONTEXT();
    if (!prop_ok(p) || option != 0) return INVALID_VALUE;
    *g = GRANULARITY;
    return OK;
}

CUresult cuMemAddressReserve(CUdeviceptr *ptr, size_t size, size_t align, CUdeviceptr hint, unsigned long long flags) {
    NEED_CONTEXT();
    if (size % 4096 || flags) return INVALID_VALUE;
    void *p = mmap((void *) hint, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED) {
        p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) return OUT_OF_MEMORY;
    }
    *ptr = (CUdeviceptr) p;
    return OK;
}
CUresult cuMemAddressFree(CUdeviceptr ptr, size_t size) { return munmap((void *) ptr, size) == 0 ? OK : INVALID_VALUE; }

CUresult cuMemCreate(unsigned long long *h, size_t size, const struct prop *p, unsigned long long flags) {
    NEED_CONTEXT();
    if (!prop_ok(p) || flags || size == 0 || size % GRANULARITY) return INVALID_VALUE;
    if (used + size > TOTAL_MEMORY) return OUT_OF_MEMORY;
    struct handle *handle = malloc(sizeof *handle);
    handle->size = size;
    used += size;
    *h = (unsigned long long) handle;
    return OK;
}
CUresult cuMemRelease(unsigned long long h) { struct handle *handle = (void *) h; used -= handle->size; free(handle); return OK; }

CUresult cuMemMap(CUdeviceptr ptr, size_t size, size_t offset, unsigned long long h, unsigned long long flags) {
    NEED_CONTEXT();
    struct handle *handle = (void *) h;
    if (offset || flags || size != handle->size || ptr % GRANULARITY) return INVALID_VALUE;
    void *p = mmap((void *) ptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    return p == (void *) ptr ? OK : INVALID_VALUE;
}
CUresult cuMemSetAccess(CUdeviceptr ptr, size_t size, const struct access *desc, size_t count) {
    NEED_CONTEXT();
    if (count != 1 || desc->location_type != 1 || desc->location_id != 0 || desc->flags != 3) return INVALID_VALUE;
    return mprotect((void *) ptr, size, PROT_READ | PROT_WRITE) == 0 ? OK : INVALID_VALUE;
}
CUresult cuMemUnmap(CUdeviceptr ptr, size_t size) {
    void *p = mmap((void *) ptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    return p == (void *) ptr ? OK : INVALID_VALUE;
}
/* Plain allocations (the backend's own scratch, outside its window): host memory, not counted in cuMemGetInfo. */
CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t size) {
    NEED_CONTEXT();
    void *m = size ? aligned_alloc(256, (size + 255) / 256 * 256) : NULL;
    if (!m) return size ? OUT_OF_MEMORY : INVALID_VALUE;
    *p = (CUdeviceptr) m;
    return OK;
}
CUresult cuMemFree_v2(CUdeviceptr p) { NEED_CONTEXT(); free((void *) p); return OK; }
CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total) { NEED_CONTEXT(); *free_bytes = TOTAL_MEMORY - used; *total = TOTAL_MEMORY; return OK; }

CUresult cuMemHostAlloc(void **p, size_t size, unsigned flags) { NEED_CONTEXT(); *p = aligned_alloc(4096, size); return *p ? OK : OUT_OF_MEMORY; }
CUresult cuMemFreeHost(void *p) { free(p); return OK; }
CUresult cuMemHostRegister_v2(void *p, size_t size, unsigned flags) { NEED_CONTEXT(); return p && size ? OK : INVALID_VALUE; }
CUresult cuMemHostUnregister(void *p) { return OK; }

/* ---- copies and memsets: synchronous, which a stream-ordered caller cannot tell apart ---- */

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, void *s) { NEED_CONTEXT(); memcpy((void *) dst, src, n); return OK; }
CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, void *s) { NEED_CONTEXT(); memcpy(dst, (void *) src, n); return OK; }
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void *s) { NEED_CONTEXT(); memmove((void *) dst, (void *) src, n); return OK; }
CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, void *s) { NEED_CONTEXT(); memset((void *) dst, v, n); return OK; }
CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short v, size_t n, void *s) {
    NEED_CONTEXT();
    if (dst % 2) return INVALID_VALUE;
    for (size_t i = 0; i < n; i++) ((unsigned short *) dst)[i] = v;
    return OK;
}
CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned v, size_t n, void *s) {
    NEED_CONTEXT();
    if (dst % 4) return INVALID_VALUE;
    for (size_t i = 0; i < n; i++) ((unsigned *) dst)[i] = v;
    return OK;
}

/* ---- modules: PTX text only; kernels by name, run on the CPU ---- */

struct module { char *ptx; int launch_count; float channel_scale[4]; };
struct function { struct module *module; char name[64]; int max_dynamic_shared; };

CUresult cuModuleLoadDataEx(void **m, const void *image, unsigned n, int *options, void **values) {
    NEED_CONTEXT();
    const char *text = image;
    if (!strstr(text, ".entry")) {
        for (unsigned i = 0; i < n; i++) {
            if (options[i] == 5) strcpy(values[i], "fake JIT: no .entry in the PTX");
        }
        return INVALID_PTX;
    }
    struct module *module = calloc(1, sizeof *module);
    module->ptx = strdup(text);
    for (int i = 0; i < 4; i++) module->channel_scale[i] = (float) (i + 1);
    *m = module;
    return OK;
}
/* No JIT linker: the backend then loads PTX as it came, its globals placed by this "driver". */
CUresult cuLinkCreate_v2(unsigned n, int *options, void **values, void **state) { return NOT_SUPPORTED; }
CUresult cuLinkAddData_v2(void *state, int type, void *data, size_t size, const char *name, unsigned n, int *options,
                          void **values) { return NOT_SUPPORTED; }
CUresult cuLinkComplete(void *state, void **cubin, size_t *size) { return NOT_SUPPORTED; }
CUresult cuLinkDestroy(void *state) { return OK; }

CUresult cuModuleUnload(void *m) { struct module *module = m; free(module->ptx); free(module); return OK; }

CUresult cuModuleGetFunction(void **f, void *m, const char *name) {
    NEED_CONTEXT();
    struct module *module = m;
    char entry[96];
    snprintf(entry, sizeof entry, ".entry %s(", name);
    if (!strstr(module->ptx, entry) || strlen(name) >= 64) return NOT_FOUND;
    struct function *function = calloc(1, sizeof *function);
    function->module = module;
    strcpy(function->name, name);
    *f = function;
    return OK;
}

CUresult cuModuleGetGlobal_v2(CUdeviceptr *p, size_t *size, void *m, const char *name) {
    NEED_CONTEXT();
    struct module *module = m;
    if (!strcmp(name, "launchCount")) { *p = (CUdeviceptr) &module->launch_count; *size = 4; return OK; }
    if (!strcmp(name, "channelScale")) { *p = (CUdeviceptr) module->channel_scale; *size = 16; return OK; }
    return NOT_FOUND;
}

CUresult cuFuncGetAttribute(int *v, int attribute, void *f) {
    NEED_CONTEXT();
    struct function *function = f;
    switch (attribute) {
    case 0: *v = 1024; return OK;
    case 4: *v = 16; return OK;
    case 8: *v = function->max_dynamic_shared; return OK;
    default: return INVALID_VALUE;
    }
}
CUresult cuFuncSetAttribute(void *f, int attribute, int value) {
    NEED_CONTEXT();
    if (attribute != 8) return INVALID_VALUE;
    ((struct function *) f)->max_dynamic_shared = value;
    return OK;
}

static size_t param_bytes(const char *name) {
    if (!strcmp(name, "vectorAdd")) return 28;
    if (!strcmp(name, "affine")) return 36;
    if (!strcmp(name, "scaleByChannel")) return 12;
    if (!strcmp(name, "touch")) return 8;
    return 0;
}

CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared, void *stream, void **kernel_params, void **extra) {
    NEED_CONTEXT();
    struct function *fn = f;
    if (!gx || !gy || !gz || !bx || !by || !bz || (unsigned long long) bx * by * bz > 1024) return INVALID_VALUE;
    size_t expected = param_bytes(fn->name);
    if (kernel_params != NULL) return INVALID_VALUE;
    if (expected == 0) return extra == NULL ? OK : INVALID_VALUE;
    if (extra == NULL || extra[0] != (void *) 1 || extra[2] != (void *) 2 || extra[4] != (void *) 0) return INVALID_VALUE;
    if (*(size_t *) extra[3] != expected) return INVALID_VALUE;
    const char *p = extra[1];
    long threads = (long) gx * gy * gz * bx * by * bz;
    if (!strcmp(fn->name, "vectorAdd")) {
        float *a = *(float **) p, *b = *(float **) (p + 8), *c = *(float **) (p + 16);
        int n = *(int *) (p + 24);
        for (long i = 0; i < n && i < threads; i++) c[i] = a[i] + b[i];
        fn->module->launch_count++;
    } else if (!strcmp(fn->name, "affine")) {
        double scale = *(double *) p;
        int offset = *(int *) (p + 8);
        signed char tag = *(signed char *) (p + 12);
        int *in = *(int **) (p + 16);
        long long *out = *(long long **) (p + 24);
        int n = *(int *) (p + 32);
        for (long i = 0; i < n && i < threads; i++) out[i] = (long long) (in[i] * scale) + offset + tag;
    } else if (!strcmp(fn->name, "scaleByChannel")) {
        float *data = *(float **) p;
        int n = *(int *) (p + 8);
        for (long i = 0; i < n && i < threads; i++) data[i] *= fn->module->channel_scale[i % 4];
    } else if (!strcmp(fn->name, "touch")) {
        int *flag = *(int **) p;
        if (flag) (*flag)++;
    }
    return OK;
}

/* ---- streams and events ---- */

struct event { int recorded; struct timespec at; };
static int streams_alive;

CUresult cuStreamCreateWithPriority(void **s, unsigned flags, int priority) { NEED_CONTEXT(); *s = malloc(16); streams_alive++; return OK; }
CUresult cuStreamDestroy_v2(void *s) { NEED_CONTEXT(); if (!s) return INVALID_HANDLE; free(s); streams_alive--; return OK; }
CUresult cuStreamSynchronize(void *s) { NEED_CONTEXT(); return OK; }
CUresult cuStreamQuery(void *s) { NEED_CONTEXT(); return OK; }
CUresult cuStreamWaitEvent(void *s, void *e, unsigned flags) { NEED_CONTEXT(); return e && !flags ? OK : INVALID_VALUE; }
CUresult cuEventCreate(void **e, unsigned flags) { NEED_CONTEXT(); *e = calloc(1, sizeof(struct event)); return OK; }
CUresult cuEventRecord(void *e, void *s) { NEED_CONTEXT(); struct event *ev = e; ev->recorded = 1; clock_gettime(CLOCK_MONOTONIC, &ev->at); return OK; }
CUresult cuEventSynchronize(void *e) { NEED_CONTEXT(); return OK; }
CUresult cuEventQuery(void *e) { NEED_CONTEXT(); return OK; }
CUresult cuEventDestroy_v2(void *e) { free(e); return OK; }
CUresult cuEventElapsedTime_v2(float *ms, void *a, void *b) {
    NEED_CONTEXT();
    struct event *start = a, *end = b;
    if (!start->recorded || !end->recorded) return INVALID_HANDLE;
    *ms = (float) ((end->at.tv_sec - start->at.tv_sec) * 1e3 + (end->at.tv_nsec - start->at.tv_nsec) / 1e6);
    return OK;
}

/* What the tests read back. */
int fake_streams_alive(void) { return streams_alive; }
int fake_contexts_retained(void) { return retained; }
unsigned long long fake_memory_used(void) { return used; }
