package io.gpumigrate.ptx;

/**
 * A declared variable: a register set ({@code .reg .b32 %r<8>}), or a {@code .global},
 * {@code .const}, {@code .shared}, {@code .local} or {@code .param} variable.
 *
 * @param space      the state space without its dot: reg, global, const, shared, local, param
 * @param name       the name; for a register set, the prefix
 * @param type       element type
 * @param align      alignment in bytes (the element size when not declared)
 * @param count      registers in a set ({@code <N>}), or -1 for a single variable
 * @param elements   array length, 1 for a scalar, 0 for an unsized {@code []} array
 * @param init       initial bytes (module variables), or null
 * @param external   declared {@code .extern}
 * @param line       PTX line
 * @param relocations addresses of other symbols that the initializer stores, resolved at load time
 */
public record PtxVariable(String space, String name, PtxType type, int align, int count, long elements,
                          byte[] init, boolean external, int line, java.util.List<Relocation> relocations) {

    /** An initializer element holding the address of {@code symbol} plus {@code addend}, at byte {@code offset}. */
    public record Relocation(long offset, int size, String symbol, long addend) {
    }

    /** Bytes of storage. */
    public long byteSize() {
        return type.size() * elements;
    }
}
