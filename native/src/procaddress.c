/*
 * cuGetProcAddress: looks the API name up in symbols.def and hands out the newest variant the
 * caller's cudaVersion knows, or its _ptds/_ptsz variant when the caller asks for
 * per-thread default stream semantics.
 */
#include <string.h>

#include "gm.h"
#include "symtab.h"

/* The per-thread default stream variant of base (base + "_ptds" or "_ptsz"), or NULL. */
static const struct gm_symbol *per_thread_variant(const struct gm_symbol *base, int cudaVersion)
{
    size_t n = strlen(base->name);
    for (size_t i = 0; i < gm_symbol_count; i++) {
        const struct gm_symbol *s = &gm_symbols[i];
        if (strncmp(s->name, base->name, n) == 0 && s->since > 0 && s->since <= cudaVersion
            && (strcmp(s->name + n, "_ptds") == 0 || strcmp(s->name + n, "_ptsz") == 0))
            return s;
    }
    return NULL;
}

static int is_per_thread(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && (strcmp(name + n - 5, "_ptds") == 0 || strcmp(name + n - 5, "_ptsz") == 0);
}

CUresult cuGetProcAddress_v2(const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags,
                             CUdriverProcAddressQueryResult *symbolStatus)
{
    if (symbol == NULL || pfn == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    if (flags > (CU_GET_PROC_ADDRESS_LEGACY_STREAM | CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM))
        return CUDA_ERROR_INVALID_VALUE;
    const struct gm_symbol *best = NULL;
    int known = 0;
    for (size_t i = 0; i < gm_symbol_count; i++) {
        const struct gm_symbol *s = &gm_symbols[i];
        if (s->since == 0 || strcmp(s->api, symbol) != 0 || is_per_thread(s->name))
            continue;
        known = 1;
        if (s->since <= cudaVersion && (best == NULL || s->since > best->since))
            best = s;
    }
    if (best != NULL && (flags & CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM)) {
        const struct gm_symbol *pt = per_thread_variant(best, cudaVersion);
        if (pt != NULL)
            best = pt;
    }
    *pfn = best ? (void *)best->address : NULL;
    if (symbolStatus != NULL)
        *symbolStatus = best ? CU_GET_PROC_ADDRESS_SUCCESS
                             : known ? CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT : CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
    return best ? CUDA_SUCCESS : CUDA_ERROR_NOT_FOUND;
}

CUresult cuGetProcAddress(const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags)
{
    return cuGetProcAddress_v2(symbol, pfn, cudaVersion, flags, NULL);
}
