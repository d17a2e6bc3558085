package io.gpumigrate.ptx;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Loads, stores, atomics and address conversions over the lanes of a mask. Global atomics
 * are atomic across worker threads (blocks run in parallel); shared memory belongs to one
 * block, which one worker runs, so its atomics are plain read-modify-writes.
 */
final class MemoryOps {

    private static final VarHandle INT_AT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG_AT = ValueLayout.JAVA_LONG.varHandle();

    private MemoryOps() {
    }

    static void load(Insn in, long[] r, int m, MemoryPort mem) {
        if (in.vec.length == 1 && in.size == 4) {
            if (in.space == Space.SHARED) {
                loadShared4(in, r, m, mem);
                return;
            }
            if (in.space == Space.GLOBAL) {
                loadGlobal4(in, r, m, mem);
                return;
            }
        }
        final int[] vec = in.vec;
        final int size = in.size;
        final PtxType t = in.type;
        final int space = in.space;
        final long alignMask = (long) vec.length * size - 1;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            long addr = r[in.a + l] + in.offset;
            if ((addr & alignMask) != 0) {
                throw mem.misaligned(addr, vec.length * size, l, in, "read");
            }
            for (int k = 0; k < vec.length; k++) {
                long raw = mem.load(space, addr + (long) k * size, size, l, in);
                r[vec[k] + l] = t.signed() ? t.normalize(raw) : raw;
            }
        }
    }

    /** The common case of 4-byte shared loads, bounds-checked inline; anything odd takes the general path. */
    private static void loadShared4(Insn in, long[] r, int m, MemoryPort mem) {
        final byte[] shared = mem.shared;
        final long limit = mem.sharedSize - 4L;
        final int d = in.vec[0];
        final int a = in.a;
        final long offset = in.offset;
        final long mask = in.type.signed() ? -1L : 0xFFFF_FFFFL;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            long addr = r[a + l] + offset;
            if (addr < 0 || addr > limit || (addr & 3) != 0) {
                mem.load(Space.SHARED, addr, 4, l, in); // throws the fault with its message
            }
            r[d + l] = (int) MemoryPort.INT.get(shared, (int) addr) & mask;
        }
    }

    /** The common case of 4-byte global loads: lanes hitting the cached allocation read its chunk directly. */
    private static void loadGlobal4(Insn in, long[] r, int m, MemoryPort mem) {
        final int d = in.vec[0];
        final int a = in.a;
        final long offset = in.offset;
        final boolean signed = in.type.signed();
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            long raw = mem.loadGlobal4(r[a + l] + offset, l, in);
            r[d + l] = signed ? (int) raw : raw;
        }
    }

    /** ld.param of a kernel parameter at a constant offset: one read, the same value for every lane. */
    static void loadParam(Insn in, long[] r, int m, MemoryPort mem) {
        int l0 = Integer.numberOfTrailingZeros(m);
        long raw = mem.load(Space.KPARAM, r[in.a + l0] + in.offset, in.size, l0, in);
        long v = in.type.signed() ? in.type.normalize(raw) : raw;
        int d = in.vec[0];
        for (int mm = m; mm != 0; mm &= mm - 1) {
            r[d + Integer.numberOfTrailingZeros(mm)] = v;
        }
    }

    static void store(Insn in, long[] r, int m, MemoryPort mem) {
        final int[] vec = in.vec;
        final int size = in.size;
        final long alignMask = (long) vec.length * size - 1;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            long addr = r[in.a + l] + in.offset;
            if ((addr & alignMask) != 0) {
                throw mem.misaligned(addr, vec.length * size, l, in, "write");
            }
            for (int k = 0; k < vec.length; k++) {
                mem.store(in.space, addr + (long) k * size, size, r[vec[k] + l], l, in);
            }
        }
    }

    /** cp.async: copies global to shared now, zero-filling past the source size. */
    static void copyAsync(Insn in, long[] r, int m, MemoryPort mem) {
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            long dst = r[in.a + l] + in.offset;
            long src = r[in.c + l] + in.offset2;
            long valid = in.e >= 0 ? Math.min(in.size, r[in.e + l] & 0xFFFF_FFFFL) : in.size;
            for (int i = 0; i < in.size; i++) {
                long b = i < valid ? mem.load(Space.GLOBAL, src + i, 1, l, in) : 0;
                mem.store(Space.SHARED, dst + i, 1, b, l, in);
            }
        }
    }

    static void cvta(Insn in, long[] r, int m) {
        long window = Space.window(in.space);
        boolean toGeneric = in.op == Op.CVTA_TO_GENERIC;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            long v = r[in.a + l];
            long out;
            if (window == 0) {
                out = v;
            } else if (toGeneric) {
                out = (v & 0xFFFF_FFFFL) + window;
            } else {
                out = v - window;
            }
            r[in.d + l] = in.type.normalize(out);
        }
    }

    static void isspacep(Insn in, long[] r, int[] p, int m) {
        int out = 0;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            int s = MemoryPort.classify(r[in.a + l]);
            boolean yes = s == in.space || (in.space == Space.CONST && s == Space.GLOBAL)
                    || (in.space == Space.KPARAM && s == Space.KPARAM);
            out |= yes ? 1 << l : 0;
        }
        p[in.d] = (p[in.d] & ~m) | out;
    }

    static void atomic(Insn in, long[] r, int m, MemoryPort mem) {
        final boolean wide = in.size == 8;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            long addr = r[in.a + l] + in.offset;
            int space = in.space;
            if (space == Space.GENERIC) {
                space = MemoryPort.classify(addr);
                addr -= Space.window(space);
            }
            long operand = r[in.b + l];
            long compare = in.c >= 0 ? r[in.c + l] : 0;
            long old;
            if (space == Space.SHARED) {
                int at = mem.sharedOffset(addr, in.size, l, in);
                old = MemoryPort.read(mem.shared, at, in.size);
                MemoryPort.write(mem.shared, at, in.size, apply(in, old, operand, compare));
            } else if (space == Space.GLOBAL || space == Space.CONST) {
                MemorySegment chunk = mem.globalChunk(addr, in.size, l, in);
                long at = mem.atOffset;
                old = wide ? atomic64(in, chunk, at, operand, compare) : atomic32(in, chunk, at, operand, compare);
            } else {
                throw mem.fault(io.gpumigrate.device.CuResult.ILLEGAL_ADDRESS,
                        "atomic on " + Space.name(space) + " memory", l, in);
            }
            if (in.d >= 0) {
                r[in.d + l] = in.type.signed() ? in.type.normalize(old) : old;
            }
        }
    }

    private static long atomic32(Insn in, MemorySegment chunk, long at, long operand, long compare) {
        switch (in.mode) {
            case Mode.A_ADD:
                if (!in.type.isFloat()) {
                    return (int) INT_AT.getAndAdd(chunk, at, (int) operand) & 0xFFFF_FFFFL;
                }
                break;
            case Mode.A_EXCH:
                return (int) INT_AT.getAndSet(chunk, at, (int) operand) & 0xFFFF_FFFFL;
            case Mode.A_AND:
                return (int) INT_AT.getAndBitwiseAnd(chunk, at, (int) operand) & 0xFFFF_FFFFL;
            case Mode.A_OR:
                return (int) INT_AT.getAndBitwiseOr(chunk, at, (int) operand) & 0xFFFF_FFFFL;
            case Mode.A_XOR:
                return (int) INT_AT.getAndBitwiseXor(chunk, at, (int) operand) & 0xFFFF_FFFFL;
            case Mode.A_CAS:
                return (int) INT_AT.compareAndExchange(chunk, at, (int) compare, (int) operand) & 0xFFFF_FFFFL;
            default:
                break;
        }
        while (true) {
            int old = (int) INT_AT.getVolatile(chunk, at);
            int next = (int) apply(in, old & 0xFFFF_FFFFL, operand, compare);
            if ((boolean) INT_AT.compareAndSet(chunk, at, old, next)) {
                return old & 0xFFFF_FFFFL;
            }
        }
    }

    private static long atomic64(Insn in, MemorySegment chunk, long at, long operand, long compare) {
        switch (in.mode) {
            case Mode.A_ADD:
                if (!in.type.isFloat()) {
                    return (long) LONG_AT.getAndAdd(chunk, at, operand);
                }
                break;
            case Mode.A_EXCH:
                return (long) LONG_AT.getAndSet(chunk, at, operand);
            case Mode.A_CAS:
                return (long) LONG_AT.compareAndExchange(chunk, at, compare, operand);
            default:
                break;
        }
        while (true) {
            long old = (long) LONG_AT.getVolatile(chunk, at);
            long next = apply(in, old, operand, compare);
            if ((boolean) LONG_AT.compareAndSet(chunk, at, old, next)) {
                return old;
            }
        }
    }

    /** The new memory value of an atomic operation, given the old one. */
    static long apply(Insn in, long old, long operand, long compare) {
        PtxType t = in.type;
        switch (in.mode) {
            case Mode.A_ADD:
                if (t == PtxType.F32) {
                    return Float.floatToRawIntBits(Float.intBitsToFloat((int) old) + Float.intBitsToFloat((int) operand))
                            & 0xFFFF_FFFFL;
                }
                if (t == PtxType.F64) {
                    return Double.doubleToRawLongBits(Double.longBitsToDouble(old) + Double.longBitsToDouble(operand));
                }
                return old + operand;
            case Mode.A_MIN:
            case Mode.A_MAX: {
                long x = t.normalize(old);
                long y = t.normalize(operand);
                int cmp = t.signed() ? Long.compare(x, y) : Long.compareUnsigned(x, y);
                boolean keepOld = in.mode == Mode.A_MIN ? cmp <= 0 : cmp >= 0;
                return keepOld ? old : operand;
            }
            case Mode.A_EXCH:
                return operand;
            case Mode.A_CAS:
                return t.normalize(old) == t.normalize(compare) ? operand : old;
            case Mode.A_AND:
                return old & operand;
            case Mode.A_OR:
                return old | operand;
            case Mode.A_XOR:
                return old ^ operand;
            case Mode.A_INC: {
                long o = old & 0xFFFF_FFFFL;
                return o >= (operand & 0xFFFF_FFFFL) ? 0 : o + 1;
            }
            default: {
                long o = old & 0xFFFF_FFFFL;
                return o == 0 || o > (operand & 0xFFFF_FFFFL) ? operand : o - 1;
            }
        }
    }
}
