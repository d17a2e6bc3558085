/*
 * Contexts: every context of a session is one worker context (one address space); what CUDA
 * keeps per context and per thread lives here: the registry of live contexts with their flags
 * and each thread's context stack (thread-local, as in CUDA).
 * Thread-safe: the registry has its own lock; the stacks belong to their threads.
 */
#include <pthread.h>
#include <stdlib.h>

#include "gm.h"
#include "log.h"

#define STACK_DEPTH 64
#define CTX_API_VERSION 3020 /* what CUDA reports for contexts of the cuCtxCreate_v2 era and later */

struct context_entry {
    CUcontext ctx;
    unsigned int flags;
    int primary;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct context_entry *registry;
static size_t registry_len, registry_cap;

static __thread CUcontext stack[STACK_DEPTH];
static __thread int depth;

static CUfunc_cache cache_config = CU_FUNC_CACHE_PREFER_NONE;

/* ---- registry ---- */

CUresult gm_context_register(CUcontext ctx, unsigned int flags, int primary)
{
    CUresult rc = CUDA_SUCCESS;
    pthread_mutex_lock(&registry_lock);
    if (registry_len == registry_cap) {
        size_t cap = registry_cap ? registry_cap * 2 : 8;
        struct context_entry *grown = realloc(registry, cap * sizeof *grown);
        if (grown == NULL) {
            rc = CUDA_ERROR_OUT_OF_MEMORY;
            goto out;
        }
        registry = grown;
        registry_cap = cap;
    }
    registry[registry_len++] = (struct context_entry){ ctx, flags, primary };
out:
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

int gm_context_lookup(CUcontext ctx, unsigned int *flags, int *primary)
{
    int found = -1;
    pthread_mutex_lock(&registry_lock);
    for (size_t i = 0; i < registry_len; i++) {
        if (ctx != NULL && registry[i].ctx == ctx) {
            if (flags)
                *flags = registry[i].flags;
            if (primary)
                *primary = registry[i].primary;
            found = 0;
            break;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return found;
}

static int set_flags_locked(CUcontext ctx, unsigned int flags)
{
    for (size_t i = 0; i < registry_len; i++) {
        if (registry[i].ctx == ctx) {
            registry[i].flags = flags;
            return 0;
        }
    }
    return -1;
}

int gm_context_set_flags(CUcontext ctx, unsigned int flags)
{
    pthread_mutex_lock(&registry_lock);
    int rc = ctx != NULL ? set_flags_locked(ctx, flags) : -1;
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

void gm_context_forget(CUcontext ctx)
{
    pthread_mutex_lock(&registry_lock);
    for (size_t i = 0; i < registry_len; i++) {
        if (registry[i].ctx == ctx) {
            registry[i] = registry[--registry_len];
            break;
        }
    }
    pthread_mutex_unlock(&registry_lock);
}

/* ---- the calling thread's stack ---- */

CUcontext gm_current_context(void)
{
    return depth > 0 ? stack[depth - 1] : NULL;
}

CUresult gm_require_context(void)
{
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    return depth > 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

CUresult gm_context_push(CUcontext ctx)
{
    if (depth == STACK_DEPTH) {
        gm_log_error("context stack of this thread is full (%d contexts)", STACK_DEPTH);
        return CUDA_ERROR_INVALID_VALUE;
    }
    stack[depth++] = ctx;
    return CUDA_SUCCESS;
}

void gm_context_pop_if_current(CUcontext ctx)
{
    if (depth > 0 && stack[depth - 1] == ctx)
        depth--;
}

/* ctx, or the current context when ctx is NULL; NULL when neither is a live context. */
static CUcontext resolve(CUcontext ctx)
{
    if (ctx == NULL)
        ctx = gm_current_context();
    return gm_context_lookup(ctx, NULL, NULL) == 0 ? ctx : NULL;
}

/* ---- creation and destruction ---- */

static CUresult create(CUcontext *pctx, unsigned int flags, CUdevice dev)
{
    if (pctx == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_check_device(dev);
    if (rc != CUDA_SUCCESS)
        return rc;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u32(&body, flags);
    gm_buf_put_i32(&body, dev);
    uint64_t handle = 0;
    rc = gm_call_u64(GM_OP_CTX_CREATE, &body, &handle, 1);
    gm_buf_free(&body);
    if (rc != CUDA_SUCCESS)
        return rc;
    if (handle == 0) {
        gm_log_error("CTX_CREATE returned the null handle");
        return CUDA_ERROR_UNKNOWN;
    }
    CUcontext ctx = (CUcontext)(uintptr_t)handle;
    rc = gm_context_register(ctx, flags, 0);
    if (rc == CUDA_SUCCESS)
        rc = gm_context_push(ctx);
    if (rc == CUDA_SUCCESS)
        *pctx = ctx;
    return rc;
}

CUresult cuCtxCreate_v2(CUcontext *pctx, unsigned int flags, CUdevice dev)
{
    return create(pctx, flags, dev);
}
GM_ALIAS(cuCtxCreate, cuCtxCreate_v2);

/* Execution affinity (SM count limits) has no meaning for a forwarded context: accepted, ignored. */
CUresult cuCtxCreate_v3(CUcontext *pctx, CUexecAffinityParam *paramsArray, int numParams,
                        unsigned int flags, CUdevice dev)
{
    if (numParams < 0 || (numParams > 0 && paramsArray == NULL))
        return CUDA_ERROR_INVALID_VALUE;
    return create(pctx, flags, dev);
}

CUresult cuCtxCreate_v4(CUcontext *pctx, CUctxCreateParams *ctxCreateParams, unsigned int flags, CUdevice dev)
{
    if (ctxCreateParams != NULL && ctxCreateParams->cigParams != NULL) {
        gm_log_error("cuCtxCreate: CUDA in graphics (CIG) contexts are not supported");
        return CUDA_ERROR_NOT_SUPPORTED;
    }
    return create(pctx, flags, dev);
}

CUresult cuCtxDestroy_v2(CUcontext ctx)
{
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    int primary = 0;
    if (gm_context_lookup(ctx, NULL, &primary) != 0 || primary)
        return CUDA_ERROR_INVALID_CONTEXT;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, gm_handle(ctx));
    rc = gm_call_simple(GM_OP_CTX_DESTROY, &body);
    gm_buf_free(&body);
    gm_context_forget(ctx);
    gm_context_pop_if_current(ctx);
    return rc;
}
GM_ALIAS(cuCtxDestroy, cuCtxDestroy_v2);

/* ---- the current context ---- */

CUresult cuCtxPushCurrent_v2(CUcontext ctx)
{
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (gm_context_lookup(ctx, NULL, NULL) != 0)
        return CUDA_ERROR_INVALID_CONTEXT;
    return gm_context_push(ctx);
}
GM_ALIAS(cuCtxPushCurrent, cuCtxPushCurrent_v2);

CUresult cuCtxPopCurrent_v2(CUcontext *pctx)
{
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (depth == 0)
        return CUDA_ERROR_INVALID_CONTEXT;
    CUcontext ctx = stack[--depth];
    if (pctx != NULL)
        *pctx = ctx;
    return CUDA_SUCCESS;
}
GM_ALIAS(cuCtxPopCurrent, cuCtxPopCurrent_v2);

CUresult cuCtxSetCurrent(CUcontext ctx)
{
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (ctx == NULL) {
        if (depth > 0)
            depth--;
        return CUDA_SUCCESS;
    }
    if (gm_context_lookup(ctx, NULL, NULL) != 0)
        return CUDA_ERROR_INVALID_CONTEXT;
    if (depth == 0)
        return gm_context_push(ctx);
    stack[depth - 1] = ctx;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetCurrent(CUcontext *pctx)
{
    if (pctx == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_init();
    if (rc == CUDA_SUCCESS)
        *pctx = gm_current_context();
    return rc;
}

CUresult cuCtxGetDevice(CUdevice *device)
{
    if (device == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc == CUDA_SUCCESS)
        *device = 0;
    return rc;
}

CUresult cuCtxGetDevice_v2(CUdevice *device, CUcontext ctx)
{
    if (device == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (resolve(ctx) == NULL)
        return CUDA_ERROR_INVALID_CONTEXT;
    *device = 0;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetFlags(unsigned int *flags)
{
    if (flags == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    return gm_context_lookup(gm_current_context(), flags, NULL) == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

/* Replaces the current context's flags (scheduling and the like; kept, not forwarded). */
CUresult cuCtxSetFlags(unsigned int flags)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (flags & ~(unsigned int)CU_CTX_FLAGS_MASK)
        return CUDA_ERROR_INVALID_VALUE;
    return gm_context_set_flags(gm_current_context(), flags) == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

/* The worker's handle is unique for the session's lifetime: it serves as the ID. */
CUresult cuCtxGetId(CUcontext ctx, unsigned long long *ctxId)
{
    if (ctxId == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    ctx = resolve(ctx);
    if (ctx == NULL)
        return CUDA_ERROR_INVALID_CONTEXT;
    *ctxId = gm_handle(ctx);
    return CUDA_SUCCESS;
}

CUresult cuCtxGetApiVersion(CUcontext ctx, unsigned int *version)
{
    if (version == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (resolve(ctx) == NULL)
        return CUDA_ERROR_INVALID_CONTEXT;
    *version = CTX_API_VERSION;
    return CUDA_SUCCESS;
}

/* ---- synchronization and configuration ---- */

CUresult cuCtxSynchronize(void)
{
    CUresult rc = gm_require_context();
    return rc == CUDA_SUCCESS ? gm_call_simple(GM_OP_CTX_SYNCHRONIZE, NULL) : rc;
}

CUresult cuCtxSynchronize_v2(CUcontext ctx)
{
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (resolve(ctx) == NULL)
        return CUDA_ERROR_INVALID_CONTEXT;
    return gm_call_simple(GM_OP_CTX_SYNCHRONIZE, NULL);
}

/* Priorities as every CUDA device since sm_70 reports them: 0 (least) down to -5 (greatest). */
CUresult cuCtxGetStreamPriorityRange(int *leastPriority, int *greatestPriority)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (leastPriority)
        *leastPriority = 0;
    if (greatestPriority)
        *greatestPriority = -5;
    return CUDA_SUCCESS;
}

/* A preference only: recorded and reported back, not forwarded. */
CUresult cuCtxSetCacheConfig(CUfunc_cache config)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if ((int)config < CU_FUNC_CACHE_PREFER_NONE || config > CU_FUNC_CACHE_PREFER_EQUAL)
        return CUDA_ERROR_INVALID_VALUE;
    __atomic_store_n(&cache_config, config, __ATOMIC_RELAXED);
    return CUDA_SUCCESS;
}

CUresult cuCtxGetCacheConfig(CUfunc_cache *pconfig)
{
    if (pconfig == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc == CUDA_SUCCESS)
        *pconfig = __atomic_load_n(&cache_config, __ATOMIC_RELAXED);
    return rc;
}
