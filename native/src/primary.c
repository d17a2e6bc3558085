/*
 * The device's primary context: its reference count and flags live here; the worker context
 * is created on first retain (CTX_CREATE with flag bit 31) and destroyed when the last
 * reference goes or on reset. Thread-safe (one lock).
 */
#include <pthread.h>

#include "gm.h"
#include "log.h"

#define PRIMARY_FLAG 0x80000000u

static pthread_mutex_t primary_lock = PTHREAD_MUTEX_INITIALIZER;
static CUcontext primary_ctx;   /* NULL while inactive */
static unsigned int primary_flags;
static unsigned int primary_refs;

/* Called with primary_lock held. */
static CUresult activate(void)
{
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u32(&body, primary_flags | PRIMARY_FLAG);
    gm_buf_put_i32(&body, 0);
    uint64_t handle = 0;
    CUresult rc = gm_call_u64(GM_OP_CTX_CREATE, &body, &handle, 1);
    gm_buf_free(&body);
    if (rc == CUDA_SUCCESS && handle == 0) {
        gm_log_error("CTX_CREATE returned the null handle for the primary context");
        rc = CUDA_ERROR_UNKNOWN;
    }
    if (rc == CUDA_SUCCESS)
        rc = gm_context_register((CUcontext)(uintptr_t)handle, primary_flags, 1);
    if (rc == CUDA_SUCCESS)
        primary_ctx = (CUcontext)(uintptr_t)handle;
    return rc;
}

/* Called with primary_lock held. */
static CUresult deactivate(void)
{
    if (primary_ctx == NULL)
        return CUDA_SUCCESS;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, gm_handle(primary_ctx));
    CUresult rc = gm_call_simple(GM_OP_CTX_DESTROY, &body);
    gm_buf_free(&body);
    gm_context_forget(primary_ctx);
    gm_context_pop_if_current(primary_ctx);
    primary_ctx = NULL;
    return rc;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)
{
    if (pctx == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_check_device(dev);
    if (rc != CUDA_SUCCESS)
        return rc;
    pthread_mutex_lock(&primary_lock);
    if (primary_ctx == NULL)
        rc = activate();
    if (rc == CUDA_SUCCESS) {
        primary_refs++;
        *pctx = primary_ctx;
    }
    pthread_mutex_unlock(&primary_lock);
    return rc;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev)
{
    CUresult rc = gm_check_device(dev);
    if (rc != CUDA_SUCCESS)
        return rc;
    pthread_mutex_lock(&primary_lock);
    if (primary_refs == 0)
        rc = CUDA_ERROR_INVALID_CONTEXT;
    else if (--primary_refs == 0)
        rc = deactivate();
    pthread_mutex_unlock(&primary_lock);
    return rc;
}
GM_ALIAS(cuDevicePrimaryCtxRelease, cuDevicePrimaryCtxRelease_v2);

/* Destroys the context and everything in it; references stay counted (CUDA does the same). */
CUresult cuDevicePrimaryCtxReset_v2(CUdevice dev)
{
    CUresult rc = gm_check_device(dev);
    if (rc != CUDA_SUCCESS)
        return rc;
    pthread_mutex_lock(&primary_lock);
    rc = deactivate();
    primary_flags = 0;
    pthread_mutex_unlock(&primary_lock);
    return rc;
}
GM_ALIAS(cuDevicePrimaryCtxReset, cuDevicePrimaryCtxReset_v2);

CUresult cuDevicePrimaryCtxSetFlags_v2(CUdevice dev, unsigned int flags)
{
    CUresult rc = gm_check_device(dev);
    if (rc != CUDA_SUCCESS)
        return rc;
    if (flags & ~(unsigned int)CU_CTX_FLAGS_MASK)
        return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&primary_lock);
    primary_flags = flags;
    pthread_mutex_unlock(&primary_lock);
    return CUDA_SUCCESS;
}
GM_ALIAS(cuDevicePrimaryCtxSetFlags, cuDevicePrimaryCtxSetFlags_v2);

CUresult cuDevicePrimaryCtxGetState(CUdevice dev, unsigned int *flags, int *active)
{
    if (flags == NULL || active == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_check_device(dev);
    if (rc != CUDA_SUCCESS)
        return rc;
    pthread_mutex_lock(&primary_lock);
    *flags = primary_flags;
    *active = primary_ctx != NULL;
    pthread_mutex_unlock(&primary_lock);
    return CUDA_SUCCESS;
}
