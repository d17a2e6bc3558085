package io.gpumigrate.ptx;

/** Comparisons (setp, set), selection (selp), float classification (testp) and predicate logic. */
final class CompareOps {

    private CompareOps() {
    }

    static void exec(Insn in, long[] r, int[] p, int m) {
        switch (in.op) {
            case Op.SETP, Op.SET -> compare(in, r, p, m);
            case Op.SELP -> {
                int sel = p[in.c];
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[in.d + l] = (sel & (1 << l)) != 0 ? r[in.a + l] : r[in.b + l];
                }
            }
            case Op.TESTP -> {
                int bitsOut = 0;
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    double x = in.type == PtxType.F64 ? Double.longBitsToDouble(r[in.a + l])
                            : Float.intBitsToFloat((int) r[in.a + l]);
                    double minNormal = in.type == PtxType.F64 ? Double.MIN_NORMAL : Float.MIN_NORMAL;
                    boolean v = switch (in.mode) {
                        case Mode.T_FINITE -> Double.isFinite(x);
                        case Mode.T_INFINITE -> Double.isInfinite(x);
                        case Mode.T_NUMBER -> !Double.isNaN(x);
                        case Mode.T_NAN -> Double.isNaN(x);
                        case Mode.T_NORMAL -> Double.isFinite(x) && Math.abs(x) >= minNormal;
                        default -> x != 0 && Math.abs(x) < minNormal;
                    };
                    bitsOut |= v ? 1 << l : 0;
                }
                p[in.d] = (p[in.d] & ~m) | bitsOut;
            }
            case Op.PRED_AND -> p[in.d] = (p[in.d] & ~m) | (p[in.a] & p[in.b] & m);
            case Op.PRED_OR -> p[in.d] = (p[in.d] & ~m) | ((p[in.a] | p[in.b]) & m);
            case Op.PRED_XOR -> p[in.d] = (p[in.d] & ~m) | ((p[in.a] ^ p[in.b]) & m);
            case Op.PRED_NOT -> p[in.d] = (p[in.d] & ~m) | (~p[in.a] & m);
            case Op.PRED_MOV -> p[in.d] = (p[in.d] & ~m) | ((in.a < 0 ? (in.mode != 0 ? -1 : 0) : p[in.a]) & m);
            default -> throw new IllegalStateException("not a comparison: " + in);
        }
    }

    private static void compare(Insn in, long[] r, int[] p, int m) {
        final PtxType t = in.type2;
        final int a = in.a, b = in.b;
        int result = 0;
        if (t == PtxType.F16 || t == PtxType.BF16) {
            for (int mm = m; mm != 0; mm &= mm - 1) {
                int l = Integer.numberOfTrailingZeros(mm);
                if (floatCompare(in.mode, HalfOps.half(r[a + l], t), HalfOps.half(r[b + l], t))) {
                    result |= 1 << l;
                }
            }
        } else if (t == PtxType.F32 || t == PtxType.F64) {
            boolean ftz = (in.flags & Insn.FTZ) != 0;
            for (int mm = m; mm != 0; mm &= mm - 1) {
                int l = Integer.numberOfTrailingZeros(mm);
                double x;
                double y;
                if (t == PtxType.F32) {
                    x = FloatMath.in32(Float.intBitsToFloat((int) r[a + l]), ftz);
                    y = FloatMath.in32(Float.intBitsToFloat((int) r[b + l]), ftz);
                } else {
                    x = Double.longBitsToDouble(r[a + l]);
                    y = Double.longBitsToDouble(r[b + l]);
                }
                if (floatCompare(in.mode, x, y)) {
                    result |= 1 << l;
                }
            }
        } else if ((in.mode == Mode.LT || in.mode == Mode.GE) && (t == PtxType.S32)) {
            boolean lt = in.mode == Mode.LT;
            for (int mm = m; mm != 0; mm &= mm - 1) {
                int l = Integer.numberOfTrailingZeros(mm);
                if (((int) r[a + l] < (int) r[b + l]) == lt) {
                    result |= 1 << l;
                }
            }
        } else {
            boolean unsigned = !t.signed();
            for (int mm = m; mm != 0; mm &= mm - 1) {
                int l = Integer.numberOfTrailingZeros(mm);
                long x = t.normalize(r[a + l]);
                long y = t.normalize(r[b + l]);
                int cmp = unsigned ? Long.compareUnsigned(x, y) : Long.compare(x, y);
                if (intCompare(in.mode, cmp)) {
                    result |= 1 << l;
                }
            }
        }
        int combined = result;
        int notResult = ~result & m;
        if (in.mode2 != Mode.BOOL_NONE) {
            int c = p[in.e];
            if ((in.flags & Insn.NEGATE_C) != 0) {
                c = ~c;
            }
            combined = combine(in.mode2, result, c) & m;
            notResult = combine(in.mode2, ~result, c) & m;
        }
        if (in.op == Op.SETP) {
            p[in.d] = (p[in.d] & ~m) | combined;
            if (in.d2 >= 0) {
                p[in.d2] = (p[in.d2] & ~m) | notResult;
            }
            return;
        }
        PtxType dt = in.type;
        long yes = dt == PtxType.F32 ? Float.floatToRawIntBits(1.0f) : dt.signed() ? -1 : dt.normalize(-1);
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            r[in.d + l] = (combined & (1 << l)) != 0 ? dt.normalize(yes) : 0;
        }
    }

    private static int combine(int op, int x, int c) {
        return switch (op) {
            case Mode.BOOL_AND -> x & c;
            case Mode.BOOL_OR -> x | c;
            default -> x ^ c;
        };
    }

    static boolean intCompare(int mode, int cmp) {
        return switch (mode) {
            case Mode.EQ -> cmp == 0;
            case Mode.NE -> cmp != 0;
            case Mode.LT, Mode.LO -> cmp < 0;
            case Mode.LE, Mode.LS -> cmp <= 0;
            case Mode.GT, Mode.HI -> cmp > 0;
            default -> cmp >= 0;
        };
    }

    static boolean floatCompare(int mode, double x, double y) {
        boolean unordered = Double.isNaN(x) || Double.isNaN(y);
        return switch (mode) {
            case Mode.EQ -> !unordered && x == y;
            case Mode.NE -> !unordered && x != y;
            case Mode.LT -> !unordered && x < y;
            case Mode.LE -> !unordered && x <= y;
            case Mode.GT -> !unordered && x > y;
            case Mode.GE -> !unordered && x >= y;
            case Mode.EQU -> unordered || x == y;
            case Mode.NEU -> unordered || x != y;
            case Mode.LTU -> unordered || x < y;
            case Mode.LEU -> unordered || x <= y;
            case Mode.GTU -> unordered || x > y;
            case Mode.GEU -> unordered || x >= y;
            case Mode.NUM -> !unordered;
            default -> unordered;
        };
    }
}
