/*
 * Shared plumbing for the C test workloads (see workload.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "workload.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KERNELS_ENV "GPUMIGRATE_KERNELS"
#define INFO_LOG_BYTES 4096

static const char *current_workload = "workload";

void wl_die_cuda(const char *call, CUresult rc, const char *file, int line)
{
    const char *name = NULL;
    if (cuGetErrorName(rc, &name) != CUDA_SUCCESS || name == NULL) {
        name = "unknown CUresult";
    }
    fflush(stdout);
    fprintf(stderr, "%s: %s failed: %s (%d) at %s:%d\n", current_workload, call, name, (int)rc, file, line);
    printf("FAIL\n");
    fflush(stdout);
    exit(1);
}

void wl_die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", current_workload);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    printf("FAIL\n");
    fflush(stdout);
    exit(1);
}

void wl_open(wl_gpu *gpu, const char *workload)
{
    char name[256];
    int major = 0;
    int minor = 0;
    current_workload = workload;
    CHECK(cuInit(0));
    CHECK(cuDeviceGet(&gpu->device, 0));
    CHECK(cuDeviceGetName(name, (int)sizeof name, gpu->device));
    CHECK(cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, gpu->device));
    CHECK(cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, gpu->device));
    CHECK(cuDevicePrimaryCtxRetain(&gpu->context, gpu->device));
    CHECK(cuCtxSetCurrent(gpu->context));
    printf("%s: device 0: %s (sm_%d%d)\n", workload, name, major, minor);
}

void wl_close(wl_gpu *gpu)
{
    CHECK(cuCtxSetCurrent(NULL));
    CHECK(cuDevicePrimaryCtxRelease(gpu->device));
}

/* The directory holding the NAME.ptx files: $GPUMIGRATE_KERNELS, else <exe dir>/kernels. */
static void kernels_dir(char *out, size_t size)
{
    const char *env = getenv(KERNELS_ENV);
    if (env != NULL && env[0] != '\0') {
        if ((size_t)snprintf(out, size, "%s", env) >= size) {
            wl_die("%s is longer than %zu bytes", KERNELS_ENV, size - 1);
        }
        return;
    }
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len < 0) {
        wl_die("cannot resolve /proc/self/exe (%s); set %s to the kernels directory", strerror(errno), KERNELS_ENV);
    }
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash != NULL) {
        *slash = '\0';
    }
    if ((size_t)snprintf(out, size, "%s/kernels", exe) >= size) {
        wl_die("executable path %s is too long for its kernels directory", exe);
    }
}

/* Reads a whole file and appends a NUL (PTX images are NUL-terminated strings). */
static char *read_image(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        wl_die("cannot open %s: %s (set %s to the kernels directory)", path, strerror(errno), KERNELS_ENV);
    }
    if (fseek(f, 0, SEEK_END) != 0) {
        wl_die("cannot seek %s: %s", path, strerror(errno));
    }
    long size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        wl_die("cannot size %s: %s", path, strerror(errno));
    }
    char *image = malloc((size_t)size + 1);
    if (image == NULL) {
        wl_die("out of host memory reading %s (%ld bytes)", path, size);
    }
    if (fread(image, 1, (size_t)size, f) != (size_t)size) {
        wl_die("short read on %s", path);
    }
    image[size] = '\0';
    fclose(f);
    return image;
}

CUmodule wl_load_module(const char *name, wl_load_mode mode)
{
    char dir[PATH_MAX];
    char path[PATH_MAX + 64];
    CUmodule module = NULL;
    kernels_dir(dir, sizeof dir);
    if ((size_t)snprintf(path, sizeof path, "%s/%s.ptx", dir, name) >= sizeof path) {
        wl_die("kernel path %s/%s.ptx is too long", dir, name);
    }
    if (access(path, R_OK) != 0) {
        wl_die("kernel image %s not readable: %s (set %s to the kernels directory)", path, strerror(errno), KERNELS_ENV);
    }
    if (mode == WL_LOAD_FILE) {
        CHECK(cuModuleLoad(&module, path));
        return module;
    }
    char *image = read_image(path);
    if (mode == WL_LOAD_DATA) {
        CHECK(cuModuleLoadData(&module, image));
    } else {
        char info_log[INFO_LOG_BYTES] = { 0 };
        CUjit_option options[] = { CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES };
        void *values[] = { info_log, (void *)(uintptr_t)sizeof info_log };
        CHECK(cuModuleLoadDataEx(&module, image, 2, options, values));
    }
    free(image);
    return module;
}

CUfunction wl_function(CUmodule module, const char *name)
{
    CUfunction function = NULL;
    CHECK(cuModuleGetFunction(&function, module, name));
    return function;
}

static void usage(FILE *out, const char *workload, const wl_flag *flags)
{
    fprintf(out, "usage: %s [options]\n", workload);
    for (const wl_flag *f = flags; f->name != NULL; f++) {
        fprintf(out, "  --%-14s N  %s (default %lld, range %lld..%lld)\n", f->name, f->help, *f->value, f->min, f->max);
    }
    fprintf(out, "  --%-16s stop after setup, print READY <pid>, continue on SIGUSR1\n", "wait-signal");
    fprintf(out, "  --%-16s this help\n", "help");
    fprintf(out, "kernels are read from $%s, else from <executable dir>/kernels\n", KERNELS_ENV);
}

static void usage_error(const char *workload, const wl_flag *flags, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", workload);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    usage(stderr, workload, flags);
    exit(2);
}

void wl_parse_flags(int argc, char **argv, const char *workload, wl_flag *flags, wl_common_flags *common)
{
    current_workload = workload;
    common->wait_signal = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout, workload, flags);
            exit(0);
        }
        if (strcmp(arg, "--wait-signal") == 0) {
            common->wait_signal = 1;
            continue;
        }
        wl_flag *flag = NULL;
        for (wl_flag *f = flags; f->name != NULL; f++) {
            if (strncmp(arg, "--", 2) == 0 && strcmp(arg + 2, f->name) == 0) {
                flag = f;
            }
        }
        if (flag == NULL) {
            usage_error(workload, flags, "unknown option %s", arg);
        }
        if (i + 1 >= argc) {
            usage_error(workload, flags, "option %s needs a value", arg);
        }
        const char *text = argv[++i];
        char *end = NULL;
        errno = 0;
        long long value = strtoll(text, &end, 0);
        if (errno != 0 || end == text || *end != '\0') {
            usage_error(workload, flags, "not an integer: %s", text);
        }
        if (value < flag->min || value > flag->max) {
            fprintf(stderr, "%s: --%s %lld is outside the allowed range %lld..%lld\n", workload, flag->name, value,
                    flag->min, flag->max);
            exit(2);
        }
        *flag->value = value;
    }
    if (common->wait_signal) {
        /* Block SIGUSR1 before cuInit so that every thread the client library starts inherits the mask. */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
            wl_die("cannot block SIGUSR1");
        }
    }
}

void wl_ready_point(const wl_common_flags *common)
{
    if (!common->wait_signal) {
        return;
    }
    sigset_t set;
    int signal_number = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    printf("READY %ld\n", (long)getpid());
    fflush(stdout);
    if (sigwait(&set, &signal_number) != 0) {
        wl_die("sigwait for SIGUSR1 failed");
    }
    printf("%s: resumed by signal %d\n", current_workload, signal_number);
}

int wl_verdict(int ok)
{
    fflush(stderr);
    printf("%s\n", ok ? "PASS" : "FAIL");
    fflush(stdout);
    return ok ? 0 : 1;
}

uint32_t wl_rand_u32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

float wl_rand_unit(uint32_t *state)
{
    return (float)(wl_rand_u32(state) >> 8) * (1.0f / 16777216.0f);
}

unsigned int wl_blocks(size_t n, unsigned int block)
{
    return (unsigned int)((n + block - 1) / block);
}

int wl_floats_equal(const char *what, const float *got, const float *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t g;
        uint32_t w;
        memcpy(&g, &got[i], sizeof g);
        memcpy(&w, &want[i], sizeof w);
        if (g != w) {
            fprintf(stderr, "%s: %s[%zu] = %.9g (0x%08x), CPU reference %.9g (0x%08x)\n", current_workload, what, i,
                    (double)got[i], g, (double)want[i], w);
            return 0;
        }
    }
    return 1;
}
