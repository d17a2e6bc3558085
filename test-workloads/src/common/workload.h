/*
 * Shared plumbing for the C test workloads: error checking, the primary context, module
 * loading, command-line flags, the ZDTM-style ready/wait point and the PASS/FAIL verdict.
 *
 * Every workload has the same shape (as CRIU's zdtm tests): set up device state, run,
 * optionally stop at a ready point while a harness checkpoints or migrates the session,
 * verify against a CPU reference, and print PASS or FAIL as its last line (exit 0 or 1).
 *
 * Single-threaded programs; none of this is thread-safe.
 */
#ifndef GPUMIGRATE_WORKLOAD_H
#define GPUMIGRATE_WORKLOAD_H

#include <cuda.h>
#include <stddef.h>
#include <stdint.h>

/* Checks a CUresult; on failure prints the call, the error name and file:line, then FAIL, and exits 1. */
#define CHECK(call)                                                         \
    do {                                                                    \
        CUresult check_rc_ = (call);                                        \
        if (check_rc_ != CUDA_SUCCESS) {                                    \
            wl_die_cuda(#call, check_rc_, __FILE__, __LINE__);              \
        }                                                                   \
    } while (0)

/* How a workload hands its PTX to the driver; the client library implements all three. */
typedef enum {
    WL_LOAD_FILE,    /* cuModuleLoad(path) */
    WL_LOAD_DATA,    /* cuModuleLoadData(image) */
    WL_LOAD_DATA_EX  /* cuModuleLoadDataEx(image, options) with an info-log buffer */
} wl_load_mode;

/* Device 0 with its primary context made current. */
typedef struct {
    CUdevice device;
    CUcontext context;
} wl_gpu;

/* Flags every workload accepts; see wl_parse_flags(). */
typedef struct {
    int wait_signal; /* --wait-signal: stop at wl_ready_point() until SIGUSR1 */
} wl_common_flags;

void wl_die_cuda(const char *call, CUresult rc, const char *file, int line) __attribute__((noreturn));
void wl_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* cuInit, device 0, cuDevicePrimaryCtxRetain + cuCtxSetCurrent; prints the device name. */
void wl_open(wl_gpu *gpu, const char *workload);
/* Unsets the current context and releases the primary context. */
void wl_close(wl_gpu *gpu);

/*
 * Loads kernels/NAME.ptx from $GPUMIGRATE_KERNELS if set, else from the directory
 * "kernels" next to the executable.
 */
CUmodule wl_load_module(const char *name, wl_load_mode mode);
CUfunction wl_function(CUmodule module, const char *name);

/* An integer flag "--name N"; *value holds the default until parsed. */
typedef struct {
    const char *name;
    long long *value;
    long long min;
    long long max;
    const char *help;
} wl_flag;

/*
 * Parses argv: the common flags into *common and each "--name N" of `flags` (an array ended
 * by an entry with name NULL) into its value. A value outside [min, max], an unknown flag or
 * --help prints usage and exits (2, or 0 for --help).
 */
void wl_parse_flags(int argc, char **argv, const char *workload, wl_flag *flags, wl_common_flags *common);

/*
 * The ZDTM ready point: with --wait-signal, prints "READY <pid>" and blocks until SIGUSR1
 * (which wl_parse_flags blocked before any CUDA call, so no library thread can take it);
 * without it, returns at once.
 */
void wl_ready_point(const wl_common_flags *common);

/* Prints "PASS" or "FAIL" as the last line and returns the exit status (0 or 1). */
int wl_verdict(int ok);

/* Deterministic pseudo-random numbers (xorshift32), the same on every machine. */
uint32_t wl_rand_u32(uint32_t *state);
/* A float in [0, 1) with 24 random bits: exact in single precision. */
float wl_rand_unit(uint32_t *state);

/* Grid size for n items in blocks of `block` threads. */
unsigned int wl_blocks(size_t n, unsigned int block);

/* Bit-exact comparison of two float arrays; prints the first mismatch. Returns 1 if equal. */
int wl_floats_equal(const char *what, const float *got, const float *want, size_t n);

#endif
