package io.gpumigrate.ptx;

import java.util.List;

/**
 * A kernel ({@code .entry}) or device function ({@code .func}) as parsed.
 *
 * @param returns   the {@code .func}'s return parameters (empty for kernels)
 * @param body      statements, or null for a declaration without a body
 * @param maxThreads the product of {@code .maxntid}/{@code .reqntid}, or 0 when not declared
 */
public record PtxFunction(String name, boolean entry, List<PtxVariable> params, List<PtxVariable> returns,
                          List<PtxStatement> body, int maxThreads, int line) {
}
