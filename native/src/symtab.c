/*
 * symbols.def as a table. Deliberately does not include cuda.h: every symbol is declared here
 * with one placeholder type, only to take its address.
 */
#include "symtab.h"

#define GM_SYM(sym, api, since, kind) extern void sym(void);
#include "symbols.def"
#undef GM_SYM

#define GM_KIND_IMPL 1
#define GM_KIND_STUB 0
#define GM_SYM(sym, api, since, kind) { #sym, #api, since, GM_KIND_##kind, sym },
const struct gm_symbol gm_symbols[] = {
#include "symbols.def"
};
#undef GM_SYM

const size_t gm_symbol_count = sizeof gm_symbols / sizeof gm_symbols[0];
