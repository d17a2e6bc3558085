/*
 * Kernel launches: pipelined LAUNCH_KERNEL ops. Parameters given as kernelParams are packed
 * with the layout cached at cuModuleGetFunction; parameters given through extra
 * (CU_LAUNCH_PARAM_BUFFER_POINTER/_SIZE) travel as the program laid them out.
 */
#include <pthread.h>

#include "funccache.h"
#include "gm.h"
#include "transport.h"

/* Reused launch body of this thread: no allocation per launch once it has grown. */
static __thread struct gm_buf launch_body;
static pthread_key_t body_key;
static pthread_once_t body_key_once = PTHREAD_ONCE_INIT;

static void free_body(void *body)
{
    gm_buf_free(body);
}

static void create_body_key(void)
{
    pthread_key_create(&body_key, free_body);
}

/* This thread's launch body, emptied; freed when the thread exits. */
static struct gm_buf *thread_body(void)
{
    if (launch_body.data == NULL) {
        pthread_once(&body_key_once, create_body_key);
        pthread_setspecific(body_key, &launch_body);
    }
    launch_body.len = 0;
    launch_body.failed = 0;
    return &launch_body;
}

/* Finds the buffer and its size in extra; CUDA_ERROR_INVALID_VALUE for anything else. */
static CUresult parse_extra(void **extra, const void **buffer, size_t *size)
{
    const size_t *size_at = NULL;
    *buffer = NULL;
    for (size_t i = 0; extra[i] != CU_LAUNCH_PARAM_END; i += 2) {
        if (extra[i] == CU_LAUNCH_PARAM_BUFFER_POINTER)
            *buffer = extra[i + 1];
        else if (extra[i] == CU_LAUNCH_PARAM_BUFFER_SIZE)
            size_at = extra[i + 1];
        else
            return CUDA_ERROR_INVALID_VALUE;
    }
    if ((*buffer == NULL) != (size_at == NULL))
        return CUDA_ERROR_INVALID_VALUE;
    *size = size_at ? *size_at : 0;
    return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
                        unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
                        unsigned int sharedMemBytes, CUstream hStream, void **kernelParams, void **extra)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (f == NULL)
        return CUDA_ERROR_INVALID_HANDLE;
    if (gridDimX == 0 || gridDimY == 0 || gridDimZ == 0 || blockDimX == 0 || blockDimY == 0 || blockDimZ == 0)
        return CUDA_ERROR_INVALID_VALUE;
    if (kernelParams != NULL && extra != NULL)
        return CUDA_ERROR_INVALID_VALUE;
    struct gm_buf *body = thread_body();
    gm_buf_put_u64(body, gm_handle(f));
    gm_buf_put_u32(body, gridDimX);
    gm_buf_put_u32(body, gridDimY);
    gm_buf_put_u32(body, gridDimZ);
    gm_buf_put_u32(body, blockDimX);
    gm_buf_put_u32(body, blockDimY);
    gm_buf_put_u32(body, blockDimZ);
    gm_buf_put_u32(body, sharedMemBytes);
    gm_buf_put_u64(body, gm_stream(hStream));
    if (extra != NULL) {
        const void *buffer;
        size_t size;
        rc = parse_extra(extra, &buffer, &size);
        if (rc != CUDA_SUCCESS)
            return rc;
        if (size > UINT32_MAX)
            return CUDA_ERROR_INVALID_VALUE;
        gm_buf_put_u32(body, (uint32_t)size);
        gm_buf_put_bytes(body, buffer, size);
    } else {
        rc = gm_funccache_pack(gm_handle(f), kernelParams, body);
        if (rc != CUDA_SUCCESS)
            return rc;
    }
    if (body->failed)
        return CUDA_ERROR_OUT_OF_MEMORY;
    return gm_transport_post(GM_OP_LAUNCH_KERNEL, body, NULL, 0);
}
GM_ALIAS(cuLaunchKernel_ptsz, cuLaunchKernel);
