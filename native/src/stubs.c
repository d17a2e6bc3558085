/*
 * Every STUB of symbols.def, generated here: each returns CUDA_ERROR_NOT_SUPPORTED and logs
 * its name the first time it is called. Deliberately does not include cuda.h: a stub takes
 * no arguments, which the C calling convention allows whatever its caller passes.
 */
#include "log.h"

#define NOT_SUPPORTED 801 /* CUDA_ERROR_NOT_SUPPORTED */

static int stub_called(const char *name, int *logged)
{
    if (!__atomic_exchange_n(logged, 1, __ATOMIC_RELAXED))
        gm_log_error("%s is not implemented; returning CUDA_ERROR_NOT_SUPPORTED", name);
    return NOT_SUPPORTED;
}

#define GM_STUB_IMPL(sym)
#define GM_STUB_STUB(sym)                        \
    int sym(void);                               \
    int sym(void)                                \
    {                                            \
        static int logged;                       \
        return stub_called(#sym, &logged);       \
    }
#define GM_SYM(sym, api, since, kind) GM_STUB_##kind(sym)
#include "symbols.def"
#undef GM_SYM
