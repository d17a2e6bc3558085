/** PTX: the parser, the pre-decoded form that kernels run from, and the SIMT interpreter that runs them. */
package io.gpumigrate.ptx;
