/*
 * cuGetProcAddress: looks the API name up in symbols.def and hands out the newest variant the
 * caller's cudaVersion knows, or its _ptds/_ptsz variant when the caller asks for per-thread
 * default stream semantics. Return codes follow driver 580 as measured on an H200
 * (2026-11-28): _v2 answers CUDA_SUCCESS and reports a miss only through symbolStatus (and a
 * NULL *pfn); the original form answers CUDA_ERROR_NOT_FOUND and leaves *pfn alone.
 */
#include <string.h>

#include "gm.h"
#include "symtab.h"

static int is_per_thread(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && (strcmp(name + n - 5, "_ptds") == 0 || strcmp(name + n - 5, "_ptsz") == 0);
}

/* The per-thread variant of base (base + "_ptds"/"_ptsz") known at cudaVersion, or NULL. */
static const struct gm_symbol *per_thread_variant(const struct gm_symbol *base, int cudaVersion)
{
    size_t n = strlen(base->name);
    for (size_t i = 0; i < gm_symbol_count; i++) {
        const struct gm_symbol *s = &gm_symbols[i];
        if (s->since > 0 && s->since <= cudaVersion && strncmp(s->name, base->name, n) == 0
            && is_per_thread(s->name) && strlen(s->name) == n + 5)
            return s;
    }
    return NULL;
}

/* The newest per-thread variant of api known at cudaVersion, or NULL. */
static const struct gm_symbol *newest_per_thread(const char *api, int cudaVersion)
{
    const struct gm_symbol *best = NULL;
    for (size_t i = 0; i < gm_symbol_count; i++) {
        const struct gm_symbol *s = &gm_symbols[i];
        if (s->since > 0 && s->since <= cudaVersion && strcmp(s->api, api) == 0 && is_per_thread(s->name)
            && (best == NULL || s->since >= best->since))
            best = s;
    }
    return best;
}

/* The symbol to hand out, or NULL; *status says which (SUCCESS, NOT_FOUND, VERSION_NOT_SUFFICIENT). */
static const struct gm_symbol *choose(const char *api, int cudaVersion, int per_thread,
                                      CUdriverProcAddressQueryResult *status)
{
    const struct gm_symbol *best = NULL;
    int known = 0, has_per_thread = 0;
    for (size_t i = 0; i < gm_symbol_count; i++) {
        const struct gm_symbol *s = &gm_symbols[i];
        if (s->since == 0 || strcmp(s->api, api) != 0)
            continue;
        known = 1;
        if (is_per_thread(s->name))
            has_per_thread = 1;
        else if (s->since <= cudaVersion && (best == NULL || s->since > best->since))
            best = s;
    }
    /* As the driver does: an API with per-thread variants answers a per-thread request only
     * with one of them, so before CUDA 7.0 (which introduced them) there is none. */
    if (per_thread && has_per_thread) {
        const struct gm_symbol *pt = best ? per_thread_variant(best, cudaVersion) : NULL;
        best = pt ? pt : newest_per_thread(api, cudaVersion);
    }
    *status = best ? CU_GET_PROC_ADDRESS_SUCCESS
                   : known ? CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT : CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
    return best;
}

CUresult cuGetProcAddress_v2(const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags,
                             CUdriverProcAddressQueryResult *symbolStatus)
{
    if (symbol == NULL || pfn == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    if (flags > (CU_GET_PROC_ADDRESS_LEGACY_STREAM | CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM))
        return CUDA_ERROR_INVALID_VALUE;
    CUdriverProcAddressQueryResult status;
    const struct gm_symbol *s =
        choose(symbol, cudaVersion, (flags & CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM) != 0, &status);
    *pfn = s ? (void *)s->address : NULL;
    if (symbolStatus != NULL)
        *symbolStatus = status;
    return CUDA_SUCCESS;
}

CUresult cuGetProcAddress(const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags)
{
    if (symbol == NULL || pfn == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    if (flags > (CU_GET_PROC_ADDRESS_LEGACY_STREAM | CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM))
        return CUDA_ERROR_INVALID_VALUE;
    CUdriverProcAddressQueryResult status;
    const struct gm_symbol *s =
        choose(symbol, cudaVersion, (flags & CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM) != 0, &status);
    if (s == NULL)
        return CUDA_ERROR_NOT_FOUND;
    *pfn = (void *)s->address;
    return CUDA_SUCCESS;
}
