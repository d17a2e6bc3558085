/*
 * Modules: images go to the worker as they are (PTX text, fat binary or cubin; see image.c
 * for how their size is found); functions come back with their parameter layout, which is
 * cached for cuLaunchKernel (funccache.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "funccache.h"
#include "gm.h"
#include "image.h"
#include "log.h"
#include "transport.h"

/* Parameters end within this many bytes of the launch buffer (CUDA's limit is 32764). */
#define PARAM_BUFFER_LIMIT 65536u

static CUresult load(CUmodule *module, const void *image, size_t size, const char *what)
{
    if (module == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (size > GM_MAX_FRAME_LENGTH - GM_FRAME_MIN_LENGTH) {
        gm_log_error("module image (%s) of %zu bytes exceeds the protocol's frame limit of %u bytes",
                     what, size, GM_MAX_FRAME_LENGTH - GM_FRAME_MIN_LENGTH);
        return CUDA_ERROR_NOT_SUPPORTED;
    }
    uint64_t handle = 0;
    struct gm_buf results;
    gm_buf_init(&results);
    struct gm_call call = { .op = GM_OP_MODULE_LOAD, .data = image, .data_len = size, .results = &results };
    rc = gm_transport_call(&call);
    if (rc == CUDA_SUCCESS) {
        struct gm_reader r;
        gm_reader_init(&r, results.data, results.len);
        handle = gm_get_u64(&r);
        if (r.failed || handle == 0) {
            gm_log_error("MODULE_LOAD reply carries no module (%zu bytes)", results.len);
            rc = CUDA_ERROR_UNKNOWN;
        }
    }
    if (rc == CUDA_SUCCESS)
        *module = (CUmodule)(uintptr_t)handle;
    gm_buf_free(&results);
    return rc;
}

static CUresult load_measured(CUmodule *module, const void *image)
{
    struct gm_image measured;
    char err[256];
    if (gm_image_measure(image, &measured, err, sizeof err) != 0) {
        gm_log_error("invalid module image: %s", err);
        return image == NULL ? CUDA_ERROR_INVALID_VALUE : CUDA_ERROR_INVALID_IMAGE;
    }
    return load(module, measured.data, measured.size, gm_image_kind_name(measured.kind));
}

CUresult cuModuleLoad(CUmodule *module, const char *fname)
{
    if (module == NULL || fname == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    FILE *f = fopen(fname, "rb");
    if (f == NULL) {
        gm_log_debug("cuModuleLoad: cannot open %s: %s", fname, strerror(errno));
        return CUDA_ERROR_FILE_NOT_FOUND;
    }
    uint8_t *data = NULL;
    size_t len = 0, cap = 0;
    rc = CUDA_SUCCESS;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *grown = realloc(data, cap);
            if (grown == NULL) {
                rc = CUDA_ERROR_OUT_OF_MEMORY;
                goto out;
            }
            data = grown;
        }
        size_t n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        gm_log_error("cuModuleLoad: reading %s failed", fname);
        rc = CUDA_ERROR_FILE_NOT_FOUND;
        goto out;
    }
    while (len > 0 && data[len - 1] == '\0') /* PTX travels without a terminating NUL */
        len--;
    rc = load(module, data, len, fname);
out:
    free(data);
    fclose(f);
    return rc;
}

CUresult cuModuleLoadData(CUmodule *module, const void *image)
{
    return load_measured(module, image);
}

CUresult cuModuleLoadFatBinary(CUmodule *module, const void *fatCubin)
{
    return load_measured(module, fatCubin);
}

/*
 * JIT options are the worker's business; output options get answers that say "nothing to
 * report" (empty logs, zero wall time) so a program that prints them stays well-defined.
 */
CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned int numOptions,
                            CUjit_option *options, void **optionValues)
{
    if (numOptions > 0 && (options == NULL || optionValues == NULL))
        return CUDA_ERROR_INVALID_VALUE;
    for (unsigned int i = 0; i < numOptions; i++) {
        switch (options[i]) {
        case CU_JIT_INFO_LOG_BUFFER:
        case CU_JIT_ERROR_LOG_BUFFER:
            if (optionValues[i] != NULL)
                *(char *)optionValues[i] = '\0';
            break;
        case CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES:
        case CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES:
            optionValues[i] = (void *)(uintptr_t)0;
            break;
        case CU_JIT_WALL_TIME: {
            float zero = 0.0f;
            memcpy(&optionValues[i], &zero, sizeof zero);
            break;
        }
        default:
            break;
        }
    }
    return load_measured(module, image);
}

/* Modules load eagerly: the worker loads the whole image at MODULE_LOAD. */
CUresult cuModuleGetLoadingMode(CUmoduleLoadingMode *mode)
{
    if (mode == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_init();
    if (rc == CUDA_SUCCESS)
        *mode = CU_MODULE_EAGER_LOADING;
    return rc;
}

CUresult cuModuleUnload(CUmodule hmod)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (hmod == NULL)
        return CUDA_ERROR_INVALID_HANDLE;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, gm_handle(hmod));
    rc = gm_call_simple(GM_OP_MODULE_UNLOAD, &body);
    gm_buf_free(&body);
    if (rc == CUDA_SUCCESS)
        gm_funccache_drop_module(gm_handle(hmod));
    return rc;
}

/* Reads MODULE_GET_FUNCTION's reply into the cache; returns the function handle or 0. */
static uint64_t cache_layout(uint64_t module, const struct gm_buf *results, const char *name)
{
    struct gm_reader r;
    gm_reader_init(&r, results->data, results->len);
    uint64_t function = gm_get_u64(&r);
    uint32_t count = gm_get_u32(&r);
    if (r.failed || function == 0 || gm_reader_remaining(&r) != (size_t)count * 8) {
        gm_log_error("MODULE_GET_FUNCTION reply for %s is malformed (%zu bytes, %u parameters)", name,
                     results->len, count);
        return 0;
    }
    struct gm_param *params = malloc((count ? count : 1) * sizeof *params);
    if (params == NULL)
        return 0;
    for (uint32_t i = 0; i < count; i++) {
        params[i].offset = gm_get_u32(&r);
        params[i].size = gm_get_u32(&r);
        if ((uint64_t)params[i].offset + params[i].size > PARAM_BUFFER_LIMIT) {
            gm_log_error("parameter %u of %s (offset %u, size %u) ends beyond %u bytes", i, name,
                         params[i].offset, params[i].size, PARAM_BUFFER_LIMIT);
            free(params);
            return 0;
        }
    }
    CUresult rc = gm_funccache_put(function, module, count, params);
    free(params);
    return rc == CUDA_SUCCESS ? function : 0;
}

CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)
{
    if (hfunc == NULL || name == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (hmod == NULL)
        return CUDA_ERROR_INVALID_HANDLE;
    struct gm_buf body, results;
    gm_buf_init(&body);
    gm_buf_init(&results);
    gm_buf_put_u64(&body, gm_handle(hmod));
    gm_buf_put_str(&body, name);
    rc = gm_call_results(GM_OP_MODULE_GET_FUNCTION, &body, &results);
    if (rc == CUDA_SUCCESS) {
        uint64_t function = cache_layout(gm_handle(hmod), &results, name);
        if (function != 0)
            *hfunc = (CUfunction)(uintptr_t)function;
        else
            rc = CUDA_ERROR_UNKNOWN;
    }
    gm_buf_free(&body);
    gm_buf_free(&results);
    return rc;
}

CUresult cuModuleGetGlobal_v2(CUdeviceptr *dptr, size_t *bytes, CUmodule hmod, const char *name)
{
    if (name == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (hmod == NULL)
        return CUDA_ERROR_INVALID_HANDLE;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, gm_handle(hmod));
    gm_buf_put_str(&body, name);
    uint64_t global[2] = { 0, 0 };
    rc = gm_call_u64(GM_OP_MODULE_GET_GLOBAL, &body, global, 2);
    if (rc == CUDA_SUCCESS) {
        if (dptr)
            *dptr = global[0];
        if (bytes)
            *bytes = global[1];
    }
    gm_buf_free(&body);
    return rc;
}
