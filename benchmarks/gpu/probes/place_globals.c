/*
 * Probe: does a cubin patched by patch_globals.py run with its module globals where we chose?
 * `place_globals CUBIN options|plain`: maps memory at 0x200000000000 with the VMM API (as the
 * worker's window does), loads CUBIN (with CU_JIT_GLOBAL_SYMBOL_* naming counter at +0x100 and
 * table at +0x200, or with no options), writes 41 into counter there, runs `bump` (globals_kernel.cu
 * or the PTX `--write-ptx` writes), and checks that the kernel read and wrote counter there, saw both
 * globals there, and stored a pointer to counter in table. Prints one line per check, then PASS.
 * place-globals.sh runs it over the cubins of docs/module-globals.md's open questions.
 * `--time-jit PTX N` times loading PTX the loader's way and the JIT linker's way, N times each.
 */
#include <cuda.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures;

#define CHECK(call) do { CUresult r_ = (call); if (r_ != CUDA_SUCCESS) { const char *n_ = 0; \
    cuGetErrorName(r_, &n_); printf("FAIL %s: %s (%d)\n", #call, n_ ? n_ : "?", (int)r_); return 1; } } while (0)

static void expect(int ok, const char *what, unsigned long long got, unsigned long long want)
{
    printf("%s %s: got 0x%llx, want 0x%llx\n", ok ? "ok  " : "FAIL", what, got, want);
    failures += !ok;
}

/* The probe's kernel as PTX a compiler writes: two .visible globals, one initialized. */
static const char PTX[] =
    ".version 8.0\n.target sm_90\n.address_size 64\n"
    ".visible .global .align 4 .b32 counter = 7;\n"
    ".visible .global .align 8 .u64 table[4];\n"
    ".visible .entry bump(.param .u64 out)\n"
    "{\n"
    "  .reg .b32 %r<4>;\n"
    "  .reg .b64 %rd<8>;\n"
    "  ld.global.u32 %r1, [counter];\n"
    "  add.u32 %r2, %r1, 1;\n"
    "  st.global.u32 [counter], %r2;\n"
    "  mov.u64 %rd1, counter;\n"
    "  mov.u64 %rd4, table;\n"
    "  st.global.u64 [table+8], %rd1;\n"
    "  ld.param.u64 %rd2, [out];\n"
    "  cvta.to.global.u64 %rd3, %rd2;\n"
    "  st.global.u64 [%rd3], %rd1;\n"
    "  st.global.u64 [%rd3+8], %rd4;\n"
    "  ret;\n"
    "}\n";

static CUresult open_device(CUdevice *dev)
{
    CUcontext ctx;
    CUresult r = cuInit(0);
    if (r == CUDA_SUCCESS) r = cuDeviceGet(dev, 0);
    if (r == CUDA_SUCCESS) r = cuDevicePrimaryCtxRetain(&ctx, *dev);
    if (r == CUDA_SUCCESS) r = cuCtxSetCurrent(ctx);
    return r;
}

/* --link ptx|fatbin IN OUT: the JIT linker's cubin of IN, as the CUDA backend gets it */
static int link_cubin(const char *kind, const char *in_path, const char *out_path)
{
    CUdevice dev;
    CHECK(open_device(&dev));
    static char input[1 << 20];
    FILE *in = fopen(in_path, "rb");
    size_t n = in ? fread(input, 1, sizeof input - 1, in) : 0;
    if (in) {
        fclose(in);
    }
    input[n++] = 0;
    CUlinkState l;
    CHECK(cuLinkCreate(0, 0, 0, &l));
    CHECK(cuLinkAddData(l, strcmp(kind, "ptx") == 0 ? CU_JIT_INPUT_PTX : CU_JIT_INPUT_FATBINARY, input, n, in_path,
                        0, 0, 0));
    void *linked = 0;
    size_t size = 0;
    CHECK(cuLinkComplete(l, &linked, &size));
    FILE *out = fopen(out_path, "wb");
    fwrite(linked, 1, size, out);
    fclose(out);
    printf("linked %s into %zu bytes of cubin\n", in_path, size);
    return 0;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* --time-jit PTX N: how long loading PTX takes N times as the driver's loader does it
   (cuModuleLoadData, whose JIT results the driver caches on disk) and as the CUDA backend does
   it to place globals (cuLink* then cuModuleLoadData of the cubin) */
static int time_jit(const char *path, int n)
{
    CUdevice dev;
    CHECK(open_device(&dev));
    static char ptx[8 << 20];
    FILE *in = fopen(path, "rb");
    size_t len = in ? fread(ptx, 1, sizeof ptx - 1, in) : 0;
    if (in) {
        fclose(in);
    }
    ptx[len++] = 0;
    for (int i = 0; i < n; i++) {
        double t0 = now_ms();
        CUmodule m;
        CHECK(cuModuleLoadData(&m, ptx));
        double t1 = now_ms();
        CHECK(cuModuleUnload(m));
        CUlinkState l;
        void *cubin = 0;
        size_t size = 0;
        double t2 = now_ms();
        CHECK(cuLinkCreate(0, 0, 0, &l));
        CHECK(cuLinkAddData(l, CU_JIT_INPUT_PTX, ptx, len, path, 0, 0, 0));
        CHECK(cuLinkComplete(l, &cubin, &size));
        double t3 = now_ms();
        CHECK(cuModuleLoadData(&m, cubin));
        double t4 = now_ms();
        CHECK(cuLinkDestroy(l));
        CHECK(cuModuleUnload(m));
        printf("time-jit %s run %d: cuModuleLoadData(PTX) %.2f ms; cuLink %.2f ms + cuModuleLoadData(cubin) %.2f ms\n",
               path, i + 1, t1 - t0, t3 - t2, t4 - t3);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--time-jit") == 0) {
        return time_jit(argv[2], atoi(argv[3]));
    }
    if (argc == 3 && strcmp(argv[1], "--write-ptx") == 0) {
        FILE *f = fopen(argv[2], "w");
        fputs(PTX, f);
        fclose(f);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "--link") == 0) {
        return link_cubin(argv[2], argv[3], argv[4]);
    }
    if (argc != 3) {
        fprintf(stderr, "usage: place_globals CUBIN options|plain | --write-ptx OUT | --link ptx|fatbin IN OUT\n");
        return 2;
    }
    static char image[1 << 20];
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    fread(image, 1, sizeof image, f);
    fclose(f);
    CUdevice dev;
    CHECK(open_device(&dev));
    CUmemAllocationProp prop;
    memset(&prop, 0, sizeof prop);
    prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
    prop.location.id = dev;
    size_t gran = 0;
    CHECK(cuMemGetAllocationGranularity(&gran, &prop, CU_MEM_ALLOC_GRANULARITY_MINIMUM));
    CUdeviceptr base = 0;
    CHECK(cuMemAddressReserve(&base, 1ull << 40, 0, 0x200000000000ull, 0)); /* as the worker's window: small hinted reservations are placed elsewhere */
    CUmemGenericAllocationHandle handle;
    CHECK(cuMemCreate(&handle, gran, &prop, 0));
    CHECK(cuMemMap(base, gran, 0, handle, 0));
    CUmemAccessDesc access;
    memset(&access, 0, sizeof access);
    access.location = prop.location;
    access.flags = CU_MEM_ACCESS_FLAGS_PROT_READWRITE;
    CHECK(cuMemSetAccess(base, gran, &access, 1));
    if (base != 0x200000000000ull) {
        printf("FAIL window at 0x%llx, not 0x200000000000 (the abs patch assumes it)\n", (unsigned long long)base);
        return 1;
    }
    CUdeviceptr counterAt = base + 0x100, tableAt = base + 0x200;
    const char *names[] = {"counter", "table"};
    void *addresses[] = {(void *)(uintptr_t)counterAt, (void *)(uintptr_t)tableAt};
    static char errors[8192];
    CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                              CU_JIT_GLOBAL_SYMBOL_NAMES, CU_JIT_GLOBAL_SYMBOL_ADDRESSES, CU_JIT_GLOBAL_SYMBOL_COUNT};
    void *values[] = {errors, (void *)(uintptr_t)sizeof errors, (void *)names, (void *)addresses, (void *)(uintptr_t)2};
    unsigned int count = strcmp(argv[2], "options") == 0 ? 5 : 2;
    CUmodule module = 0;
    CUresult loaded = cuModuleLoadDataEx(&module, image, count, options, values);
    const char *name = 0;
    cuGetErrorName(loaded, &name);
    printf("%s load %s (%s): %s; log: %s\n", loaded == CUDA_SUCCESS ? "ok  " : "FAIL", argv[1], argv[2],
           name ? name : "?", errors);
    if (loaded != CUDA_SUCCESS) {
        return 1;
    }
    CUfunction bump;
    CHECK(cuModuleGetFunction(&bump, module, "bump"));
    unsigned int initial = 41;
    CHECK(cuMemcpyHtoD(counterAt, &initial, sizeof initial));
    CUdeviceptr out;
    CHECK(cuMemAlloc(&out, 16));
    void *params[] = {&out};
    CHECK(cuLaunchKernel(bump, 1, 1, 1, 1, 1, 1, 0, 0, params, 0));
    CHECK(cuCtxSynchronize());
    unsigned int counter = 0;
    unsigned long long seen[2] = {0, 0}, tableWord = 0;
    CHECK(cuMemcpyDtoH(&counter, counterAt, sizeof counter));
    CHECK(cuMemcpyDtoH(seen, out, sizeof seen));
    CHECK(cuMemcpyDtoH(&tableWord, tableAt + 8, sizeof tableWord));
    expect(counter == 42, "the kernel read and wrote 'counter' at the chosen address", counter, 42);
    expect(seen[0] == counterAt, "the kernel sees &counter at the chosen address", seen[0], counterAt);
    expect(seen[1] == tableAt, "the kernel sees &table at the chosen address", seen[1], tableAt);
    expect(tableWord == counterAt, "a pointer to 'counter' stored in 'table'", tableWord, counterAt);
    CUdeviceptr found = 0;
    size_t size = 0;
    CUresult r = cuModuleGetGlobal(&found, &size, module, "counter");
    printf("info cuModuleGetGlobal(counter): status %d, 0x%llx, %zu bytes\n", (int)r, (unsigned long long)found, size);
    CHECK(cuModuleUnload(module));
    printf("%s\n", failures == 0 ? "PASS" : "FAIL");
    return failures == 0 ? 0 : 1;
}
