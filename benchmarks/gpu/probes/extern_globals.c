/*
 * Probe: can a module's global variables live at addresses the worker chooses?
 *
 * Module globals are the one kind of device memory whose address the driver picks (each process
 * gets other addresses), so pointers to them that a program stores in device memory do not
 * survive a migration (docs/module-globals.md). The loader takes CU_JIT_GLOBAL_SYMBOL_NAMES,
 * _ADDRESSES and _COUNT: it relocates unresolved globals to the given addresses. This probe maps
 * memory with the VMM API (as the worker's window does), loads a kernel whose globals are
 * unresolved with those options, and checks that the kernel reads, writes and takes the address
 * of the globals there, a pointer to one stored in another included. It tries the JIT linker
 * (cuLink* with PTX whose globals are .extern), the loader with that PTX, and the loader with the
 * cubin named on the command line.
 *
 * On an H200 (driver 580, CUDA 13.0; benchmarks/results/h200-2026-11-29-run9.md):
 *   - cuLink* with .extern PTX: "Undefined reference" (the options do not resolve it);
 *   - cuModuleLoadDataEx(.extern PTX, options): CUDA_ERROR_INVALID_VALUE;
 *   - cuModuleLoadDataEx(ptxas -c's relocatable object of it, options): PASS;
 *   - cuModuleLoadDataEx(ptxas's ordinary cubin with the globals defined, options): INVALID_VALUE;
 *     the same cubin with its two symbols marked undefined (undefine_globals.py): PASS;
 *   - cuModuleGetGlobal of a relocated global: CUDA_ERROR_INVALID_VALUE (the worker must answer it).
 *
 * Build and run on a GPU machine (repository root):
 *   nvcc benchmarks/gpu/probes/extern_globals.c -lcuda -o /tmp/eg
 *   /tmp/eg --write-defined-ptx /tmp/d.ptx && ptxas -arch=sm_90 /tmp/d.ptx -o /tmp/d.cubin
 *   python3 benchmarks/gpu/probes/undefine_globals.py /tmp/d.cubin /tmp/u.cubin counter table
 *   /tmp/eg /tmp/u.cubin
 * (`--write-ptx` writes the .extern PTX, for `ptxas -c`; `--link ptx|fatbin IN OUT` writes the JIT
 * linker's cubin of IN, e.g. of `nvcc -fatbin globals_kernel.cu`.) Prints one line per check.
 */
#include <cuda.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(call) do { CUresult r_ = (call); if (r_ != CUDA_SUCCESS) { const char *n_ = 0; \
    cuGetErrorName(r_, &n_); printf("FAIL %s: %s (%d)\n", #call, n_ ? n_ : "?", (int)r_); return 1; } } while (0)

static void expect(int ok, const char *what, unsigned long long got, unsigned long long want)
{
    printf("%s %s: got 0x%llx, want 0x%llx\n", ok ? "ok  " : "FAIL", what, got, want);
    if (!ok) {
        failures++;
    }
}

#define GLOBALS_EXTERN \
    ".extern .global .align 4 .b32 counter;\n" \
    ".extern .global .align 8 .u64 table[4];\n"
/* as a compiler writes them: defined, one initialized (what undefine_globals.py then undefines) */
#define GLOBALS_DEFINED \
    ".visible .global .align 4 .b32 counter = 7;\n" \
    ".visible .global .align 8 .u64 table[4];\n"
#define KERNEL \
    ".visible .entry bump(.param .u64 out)\n" \
    "{\n" \
    "  .reg .b32 %r<4>;\n" \
    "  .reg .b64 %rd<8>;\n" \
    "  ld.global.u32 %r1, [counter];\n" \
    "  add.u32 %r2, %r1, 1;\n" \
    "  st.global.u32 [counter], %r2;\n" \
    "  mov.u64 %rd1, counter;\n" \
    "  mov.u64 %rd4, table;\n" \
    "  st.global.u64 [table+8], %rd1;\n" \
    "  ld.param.u64 %rd2, [out];\n" \
    "  cvta.to.global.u64 %rd3, %rd2;\n" \
    "  st.global.u64 [%rd3], %rd1;\n" \
    "  st.global.u64 [%rd3+8], %rd4;\n" \
    "  ret;\n" \
    "}\n"
#define HEADER ".version 8.0\n.target sm_90\n.address_size 64\n"

static const char PTX[] = HEADER GLOBALS_EXTERN KERNEL;
static const char DEFINED_PTX[] = HEADER GLOBALS_DEFINED KERNEL;

/* argv[1]: "--write-ptx FILE" writes the PTX and exits; else a cubin (e.g. `ptxas -c`'s relocatable
   object of that PTX) that the module loader is also given, with the options */
static void *readFile(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return 0;
    }
    static char data[1 << 20];
    size_t n = fread(data, 1, sizeof data - 1, f);
    fclose(f);
    data[n] = 0;
    return data;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--link") == 0) {
        /* --link ptx|fatbin IN OUT: the JIT linker's cubin of IN, as the worker would get it */
        CUdevice d;
        CUcontext c;
        CHECK(cuInit(0));
        CHECK(cuDeviceGet(&d, 0));
        CHECK(cuDevicePrimaryCtxRetain(&c, d));
        CHECK(cuCtxSetCurrent(c));
        FILE *in = fopen(argv[3], "rb");
        static char input[1 << 20];
        size_t n = in ? fread(input, 1, sizeof input - 1, in) : 0;
        if (in) {
            fclose(in);
        }
        input[n++] = 0;
        CUlinkState l;
        CHECK(cuLinkCreate(0, 0, 0, &l));
        CHECK(cuLinkAddData(l, strcmp(argv[2], "ptx") == 0 ? CU_JIT_INPUT_PTX : CU_JIT_INPUT_FATBINARY, input, n,
                            argv[3], 0, 0, 0));
        void *linked = 0;
        size_t size = 0;
        CHECK(cuLinkComplete(l, &linked, &size));
        FILE *out = fopen(argv[4], "wb");
        fwrite(linked, 1, size, out);
        fclose(out);
        printf("linked %s into %zu bytes of cubin\n", argv[3], size);
        return 0;
    }
    if (argc == 3 && (strcmp(argv[1], "--write-ptx") == 0 || strcmp(argv[1], "--write-defined-ptx") == 0)) {
        FILE *f = fopen(argv[2], "w");
        fputs(strcmp(argv[1], "--write-ptx") == 0 ? PTX : DEFINED_PTX, f);
        fclose(f);
        return 0;
    }
    CUdevice dev;
    CUcontext ctx;
    CHECK(cuInit(0));
    CHECK(cuDeviceGet(&dev, 0));
    CHECK(cuDevicePrimaryCtxRetain(&ctx, dev));
    CHECK(cuCtxSetCurrent(ctx));

    /* the worker's way: a fixed address window, memory mapped into it */
    CUmemAllocationProp prop;
    memset(&prop, 0, sizeof prop);
    prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
    prop.location.id = dev;
    size_t gran = 0;
    CHECK(cuMemGetAllocationGranularity(&gran, &prop, CU_MEM_ALLOC_GRANULARITY_MINIMUM));
    CUdeviceptr hint = 0x300000000000ull, base = 0;
    CHECK(cuMemAddressReserve(&base, gran, 0, hint, 0));
    CUmemGenericAllocationHandle handle;
    CHECK(cuMemCreate(&handle, gran, &prop, 0));
    CHECK(cuMemMap(base, gran, 0, handle, 0));
    CUmemAccessDesc access;
    memset(&access, 0, sizeof access);
    access.location = prop.location;
    access.flags = CU_MEM_ACCESS_FLAGS_PROT_READWRITE;
    CHECK(cuMemSetAccess(base, gran, &access, 1));
    printf("window at 0x%llx (asked 0x%llx), %zu bytes\n", (unsigned long long)base, (unsigned long long)hint, gran);

    CUdeviceptr counterAt = base + 0x100, tableAt = base + 0x200;
    const char *names[] = {"counter", "table"};
    void *addresses[] = {(void *)(uintptr_t)counterAt, (void *)(uintptr_t)tableAt};
    unsigned int count = 2;
    static char errors[8192], infos[8192];
    CUjit_option options[] = {CU_JIT_GLOBAL_SYMBOL_NAMES, CU_JIT_GLOBAL_SYMBOL_ADDRESSES, CU_JIT_GLOBAL_SYMBOL_COUNT,
                              CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                              CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
    void *values[] = {(void *)names, (void *)addresses, (void *)(uintptr_t)count,
                      errors, (void *)(uintptr_t)sizeof errors, infos, (void *)(uintptr_t)sizeof infos};

    /* the JIT linker first, then the module loader (the "dynamic linker" of the options' documentation?) */
    CUlinkState link;
    CHECK(cuLinkCreate(7, options, values, &link));
    CUresult added = cuLinkAddData(link, CU_JIT_INPUT_PTX, (void *)PTX, sizeof PTX, "probe.ptx", 0, 0, 0);
    void *cubin = 0;
    size_t cubinSize = 0;
    CUresult linked = added == CUDA_SUCCESS ? cuLinkComplete(link, &cubin, &cubinSize) : added;
    printf("info cuLink*: add %d, complete %d; error log: %s\n", (int)added, (int)linked, errors);
    CUmodule module = 0;
    if (linked == CUDA_SUCCESS) {
        CHECK(cuModuleLoadData(&module, cubin));
    }
    CHECK(cuLinkDestroy(link));
    errors[0] = 0;
    CUmodule direct = 0;
    CUresult loaded = cuModuleLoadDataEx(&direct, PTX, 7, options, values);
    printf("info cuModuleLoadDataEx(PTX) with the options: status %d; error log: %s\n", (int)loaded, errors);
    if (module == 0 && loaded == CUDA_SUCCESS) {
        module = direct;
    }
    if (argc == 2) {
        void *image = readFile(argv[1]);
        errors[0] = 0;
        CUmodule fromFile = 0;
        CUresult r2 = image ? cuModuleLoadDataEx(&fromFile, image, 7, options, values) : CUDA_ERROR_FILE_NOT_FOUND;
        printf("info cuModuleLoadDataEx(%s) with the options: status %d; error log: %s\n", argv[1], (int)r2, errors);
        if (module == 0 && r2 == CUDA_SUCCESS) {
            module = fromFile;
        }
    }
    if (module == 0) {
        printf("FAIL no way to load a module whose globals are relocated\n");
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

    printf("%s\n", failures == 0 ? "PASS" : "FAIL");
    return failures == 0 ? 0 : 1;
}
