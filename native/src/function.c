/* Function attributes (forwarded) and what the parameter-layout cache already knows. */
#include "funccache.h"
#include "gm.h"
#include "log.h"

CUresult cuFuncGetAttribute(int *pi, CUfunction_attribute attrib, CUfunction hfunc)
{
    if (pi == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (hfunc == NULL)
        return CUDA_ERROR_INVALID_HANDLE;
    struct gm_buf body, results;
    gm_buf_init(&body);
    gm_buf_init(&results);
    gm_buf_put_u64(&body, gm_handle(hfunc));
    gm_buf_put_i32(&body, (int32_t)attrib);
    rc = gm_call_results(GM_OP_FUNC_GET_ATTRIBUTE, &body, &results);
    if (rc == CUDA_SUCCESS) {
        struct gm_reader r;
        gm_reader_init(&r, results.data, results.len);
        int32_t value = gm_get_i32(&r);
        if (r.failed) {
            gm_log_error("FUNC_GET_ATTRIBUTE reply is truncated (%zu bytes)", results.len);
            rc = CUDA_ERROR_UNKNOWN;
        } else {
            *pi = value;
        }
    }
    gm_buf_free(&body);
    gm_buf_free(&results);
    return rc;
}

CUresult cuFuncSetAttribute(CUfunction hfunc, CUfunction_attribute attrib, int value)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (hfunc == NULL)
        return CUDA_ERROR_INVALID_HANDLE;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, gm_handle(hfunc));
    gm_buf_put_i32(&body, (int32_t)attrib);
    gm_buf_put_i32(&body, value);
    rc = gm_call_simple(GM_OP_FUNC_SET_ATTRIBUTE, &body);
    gm_buf_free(&body);
    return rc;
}

/* A preference CUDA may ignore: validated, not forwarded. */
CUresult cuFuncSetCacheConfig(CUfunction hfunc, CUfunc_cache config)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    uint64_t module;
    if (gm_funccache_module(gm_handle(hfunc), &module) != 0)
        return CUDA_ERROR_INVALID_HANDLE;
    if ((int)config < CU_FUNC_CACHE_PREFER_NONE || config > CU_FUNC_CACHE_PREFER_EQUAL)
        return CUDA_ERROR_INVALID_VALUE;
    return CUDA_SUCCESS;
}

CUresult cuFuncGetParamInfo(CUfunction func, size_t paramIndex, size_t *paramOffset, size_t *paramSize)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    uint64_t module;
    if (gm_funccache_module(gm_handle(func), &module) != 0)
        return CUDA_ERROR_INVALID_HANDLE;
    size_t offset, size;
    if (gm_funccache_param(gm_handle(func), paramIndex, &offset, &size) != 0)
        return CUDA_ERROR_INVALID_VALUE;
    if (paramOffset)
        *paramOffset = offset;
    if (paramSize)
        *paramSize = size;
    return CUDA_SUCCESS;
}

CUresult cuFuncGetModule(CUmodule *hmod, CUfunction hfunc)
{
    if (hmod == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    uint64_t module;
    if (gm_funccache_module(gm_handle(hfunc), &module) != 0)
        return CUDA_ERROR_INVALID_HANDLE;
    *hmod = (CUmodule)(uintptr_t)module;
    return CUDA_SUCCESS;
}
