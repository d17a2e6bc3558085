package io.gpumigrate.ptx;

/**
 * One pre-decoded instruction. Register operands are bases into a warp's register file
 * ({@code slot * 32}); lane {@code l} of operand {@code a} is {@code regs[a + l]}. Immediates
 * and symbol addresses were turned into constant registers, so every source is a register.
 * Predicate operands are indices into the warp's predicate masks. Immutable after decoding.
 */
final class Insn {

    int op;
    /** Guard predicate index, or -1 for none. */
    int guard = -1;
    boolean guardNegated;
    /** Destination register base (or predicate index for predicate results). */
    int d = -1;
    /** Second destination: predicate of {@code setp d|d2}, {@code shfl d|p}, carry etc.; -1 when absent. */
    int d2 = -1;
    int a = -1;
    int b = -1;
    int c = -1;
    /** Fourth source (shfl's membermask, setp's combining predicate) or -1. */
    int e = -1;
    /** Vector registers of ld/st/mov pack, in order. */
    int[] vec;
    /** Constant address offset of memory operands. */
    long offset;
    /** Offset of a second memory operand (cp.async's source). */
    long offset2;
    PtxType type;
    /** Source type of cvt/set and the wide variants; otherwise equal to {@link #type}. */
    PtxType type2;
    /** Memory access size in bytes (per vector element). */
    int size;
    /** State space of memory operations ({@link Space}). */
    int space;
    /** Modifier: rounding mode, comparison, atomic/shuffle/vote operation, shf direction, ... */
    int mode;
    /** Second modifier: setp's boolean combination, atom's CAS flag, ... */
    int mode2;
    /** Modifier bits: {@link #FTZ}, {@link #SAT}, {@link #NEGATE_C}, ... */
    int flags;
    /** Branch target (instruction index) or barrier id (when the id is not in register {@link #c}). */
    int target;
    /** 1-based PTX line, for error messages. */
    int line;
    /** The instruction's opcode text. */
    String text;

    static final int FTZ = 1;
    static final int SAT = 2;
    /** setp's combining predicate is negated. */
    static final int NEGATE_C = 4;
    /** cvt to an integer, or a float rounded to an integral value ({@code cvt.rni.f32.f32}). */
    static final int INTEGRAL = 8;
    /** bra.uni: the program promises the branch does not diverge (informational; divergence is handled anyway). */
    static final int UNIFORM = 16;
    /** A second, predicate destination is present (setp d|p, shfl d|p, match d|p). */
    static final int HAS_D2 = 64;
    /** bar.arrive: the threads count towards the barrier but do not wait for it. */
    static final int ARRIVE = 128;
    /** A warp collective whose member mask ({@link #e}) names the lanes that must execute it together. */
    static final int MEMBER_MASK = 256;

    @Override
    public String toString() {
        return text + " (line " + line + ")";
    }
}
