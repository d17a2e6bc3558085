/*
 * The kernel parameter layout of every function the program looked up (MODULE_GET_FUNCTION's
 * reply), keyed by function handle, so that cuLaunchKernel can pack kernelParams into the
 * launch buffer without a round trip. Thread-safe (one lock).
 */
#ifndef GM_FUNCCACHE_H
#define GM_FUNCCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "cuda.h"
#include "frame.h"

struct gm_param {
    uint32_t offset;
    uint32_t size;
};

/** Records (or replaces) function's layout; params is copied. */
CUresult gm_funccache_put(uint64_t function, uint64_t module, uint32_t count, const struct gm_param *params);

/**
 * Appends u32 paramBytes and the packed parameters (parameter i: params[i].size bytes from
 * kernelParams[i], at params[i].offset; gaps zeroed) to out. CUDA_ERROR_INVALID_HANDLE for an
 * unknown function, CUDA_ERROR_INVALID_VALUE when kernelParams is NULL but the kernel takes
 * parameters.
 */
CUresult gm_funccache_pack(uint64_t function, void **kernelParams, struct gm_buf *out);

/** Parameter index's offset and size: 0, or -1 for an unknown function or an index out of range. */
int gm_funccache_param(uint64_t function, size_t index, size_t *offset, size_t *size);

/** The module function came from: 0, or -1 when unknown. */
int gm_funccache_module(uint64_t function, uint64_t *module);

/** Forgets every function of module (after cuModuleUnload). */
void gm_funccache_drop_module(uint64_t module);

#endif
