/*
 * Internal declarations shared by the API family files (init.c, device.c, context.c, ...).
 * Nothing here is exported: the version script exports only cu* and the marker.
 */
#ifndef GM_GM_H
#define GM_GM_H

#include <stdint.h>

#include "cuda.h"
#include "frame.h"

/** Exports alias as a second name of target (same ABI, same behaviour); target must be defined above. */
#define GM_ALIAS(name, target) extern __typeof__(target) name __attribute__((alias(#target)))

/* ---- session (init.c) ---- */

#define GM_MAX_DEVICE_ATTRIBUTES 512

/** The worker's device, fetched once by cuInit with DEVICE_GET_PROPERTIES; immutable after. */
struct gm_device_props {
    uint32_t attribute_count;                  /* attr[i] is valid for 0 < i < attribute_count */
    int32_t attr[GM_MAX_DEVICE_ATTRIBUTES];
    char name[257];
    uint8_t uuid[16];
    uint64_t total_mem;
    int32_t driver_version;
};

/** CUDA_SUCCESS once cuInit has succeeded, else CUDA_ERROR_NOT_INITIALIZED. Thread-safe. */
CUresult gm_require_init(void);
/** The device's properties; only valid after gm_require_init() succeeded. */
const struct gm_device_props *gm_device(void);
/** CUDA_SUCCESS when dev is the session's one device (ordinal 0), else CUDA_ERROR_INVALID_DEVICE. */
CUresult gm_check_device(CUdevice dev);

/* ---- contexts (context.c) ---- */

/** The calling thread's current context, or NULL. */
CUcontext gm_current_context(void);
/**
 * CUDA_SUCCESS when cuInit succeeded and the calling thread has a current context; the
 * precondition of every call that acts on device state, as in CUDA.
 */
CUresult gm_require_context(void);
/** Registers a context created on the worker (flags as the program passed them). */
CUresult gm_context_register(CUcontext ctx, unsigned int flags, int primary);
/** Looks ctx up: 0 and its flags when known, -1 otherwise. */
int gm_context_lookup(CUcontext ctx, unsigned int *flags, int *primary);
void gm_context_forget(CUcontext ctx);
/** Replaces a live context's flags: 0, or -1 when ctx is unknown. */
int gm_context_set_flags(CUcontext ctx, unsigned int flags);
/** Pushes ctx on the calling thread's stack; CUDA_ERROR_INVALID_VALUE when the stack is full. */
CUresult gm_context_push(CUcontext ctx);
/** Removes ctx from the top of the calling thread's stack if it is there. */
void gm_context_pop_if_current(CUcontext ctx);

/* ---- helpers ---- */

/** Handle value on the wire: an opaque u64 the worker chose. */
static inline uint64_t gm_handle(const void *h) { return (uint64_t)(uintptr_t)h; }
/** The legacy and per-thread default streams are both the worker's default stream (0). */
static inline uint64_t gm_stream(CUstream s)
{
    return (s == CU_STREAM_LEGACY || s == CU_STREAM_PER_THREAD) ? 0 : gm_handle(s);
}
/** The CUDA_ERROR_* name of rc, or "CUDA_ERROR_<n>" style text for an unknown code. */
const char *gm_error_name(CUresult rc);

/** Sends a CALL/SYNC op with a body and no results; returns its status. */
CUresult gm_call_simple(uint16_t op, const struct gm_buf *body);
/** Sends a CALL/SYNC op and reads count u64 results into out; a short reply is CUDA_ERROR_UNKNOWN. */
CUresult gm_call_u64(uint16_t op, const struct gm_buf *body, uint64_t *out, int count);
/** Sends a CALL/SYNC op and reads the results into results (caller-initialised). */
CUresult gm_call_results(uint16_t op, const struct gm_buf *body, struct gm_buf *results);

#endif
