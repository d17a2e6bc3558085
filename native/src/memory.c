/* Device memory: allocations live on the worker; addresses are the worker's, never translated. */
#include <limits.h>

#include "gm.h"

CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (dptr == NULL || bytesize == 0)
        return CUDA_ERROR_INVALID_VALUE;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, bytesize);
    uint64_t ptr = 0;
    rc = gm_call_u64(GM_OP_MEM_ALLOC, &body, &ptr, 1);
    if (rc == CUDA_SUCCESS)
        *dptr = ptr;
    gm_buf_free(&body);
    return rc;
}

CUresult cuMemFree_v2(CUdeviceptr dptr)
{
    CUresult rc = gm_require_init();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (dptr == 0)
        return CUDA_SUCCESS; /* as CUDA: freeing NULL is a no-op, with or without a context */
    rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, dptr);
    rc = gm_call_simple(GM_OP_MEM_FREE, &body);
    gm_buf_free(&body);
    return rc;
}

CUresult cuMemGetInfo_v2(size_t *free, size_t *total)
{
    if (free == NULL || total == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    uint64_t info[2] = { 0, 0 };
    rc = gm_call_u64(GM_OP_MEM_GET_INFO, NULL, info, 2);
    if (rc == CUDA_SUCCESS) {
        *free = info[0];
        *total = info[1];
    }
    return rc;
}

/* The CUDA 2.0 form reports in 32 bits: clamped to UINT_MAX. */
CUresult cuMemGetInfo(unsigned int *free, unsigned int *total)
{
    size_t f, t;
    if (free == NULL || total == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = cuMemGetInfo_v2(&f, &t);
    if (rc == CUDA_SUCCESS) {
        *free = f > UINT_MAX ? UINT_MAX : (unsigned int)f;
        *total = t > UINT_MAX ? UINT_MAX : (unsigned int)t;
    }
    return rc;
}

CUresult cuMemAllocPitch_v2(CUdeviceptr *dptr, size_t *pPitch, size_t WidthInBytes, size_t Height,
                            unsigned int ElementSizeBytes)
{
    if (dptr == NULL || pPitch == NULL || WidthInBytes == 0 || Height == 0)
        return CUDA_ERROR_INVALID_VALUE;
    if (ElementSizeBytes != 4 && ElementSizeBytes != 8 && ElementSizeBytes != 16)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, WidthInBytes);
    gm_buf_put_u64(&body, Height);
    gm_buf_put_u32(&body, ElementSizeBytes);
    uint64_t out[2] = { 0, 0 };
    rc = gm_call_u64(GM_OP_MEM_ALLOC_PITCH, &body, out, 2);
    if (rc == CUDA_SUCCESS) {
        *dptr = out[0];
        *pPitch = out[1];
    }
    gm_buf_free(&body);
    return rc;
}

CUresult cuMemGetAddressRange_v2(CUdeviceptr *pbase, size_t *psize, CUdeviceptr dptr)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, dptr);
    uint64_t range[2] = { 0, 0 };
    rc = gm_call_u64(GM_OP_MEM_GET_ADDRESS_RANGE, &body, range, 2);
    if (rc == CUDA_SUCCESS) {
        if (pbase)
            *pbase = range[0];
        if (psize)
            *psize = range[1];
    }
    gm_buf_free(&body);
    return rc;
}
