/*
 * The exported symbols as data (from symbols.def), for cuGetProcAddress: name, the API name
 * it answers, the CUDA version that introduced it, and its address. Read-only, thread-safe.
 */
#ifndef GM_SYMTAB_H
#define GM_SYMTAB_H

#include <stddef.h>

struct gm_symbol {
    const char *name;
    const char *api;
    int since;           /* 0: never handed out by cuGetProcAddress */
    int implemented;     /* 0: a stub answering CUDA_ERROR_NOT_SUPPORTED */
    void (*address)(void);
};

extern const struct gm_symbol gm_symbols[];
extern const size_t gm_symbol_count;

#endif
