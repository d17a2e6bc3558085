package io.gpumigrate.ptx;

/**
 * Integer and bit instructions over the lanes of a mask. Operands are read at the
 * instruction's type (sign- or zero-extended), results are stored normalized to it.
 */
final class IntegerOps {

    private IntegerOps() {
    }

    static void exec(Insn in, long[] r, int m) {
        final int d = in.d, a = in.a, b = in.b, c = in.c;
        final PtxType t = in.type;
        switch (in.op) {
            case Op.ADD -> {
                if ((in.flags & Insn.SAT) != 0) {
                    for (int mm = m; mm != 0; mm &= mm - 1) {
                        int l = Integer.numberOfTrailingZeros(mm);
                        long v = (long) (int) r[a + l] + (int) r[b + l];
                        r[d + l] = Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
                    }
                    return;
                }
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = r[a + l] + r[b + l];
                }
            }
            case Op.SUB -> {
                if ((in.flags & Insn.SAT) != 0) {
                    for (int mm = m; mm != 0; mm &= mm - 1) {
                        int l = Integer.numberOfTrailingZeros(mm);
                        long v = (long) (int) r[a + l] - (int) r[b + l];
                        r[d + l] = Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
                    }
                    return;
                }
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = r[a + l] - r[b + l];
                }
            }
            case Op.MUL_LO -> {
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = r[a + l] * r[b + l];
                }
            }
            case Op.MAD_LO -> {
                if ((in.flags & Insn.SAT) != 0) {
                    for (int mm = m; mm != 0; mm &= mm - 1) {
                        int l = Integer.numberOfTrailingZeros(mm);
                        long v = (long) (int) r[a + l] * (int) r[b + l] + (int) r[c + l];
                        r[d + l] = Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
                    }
                    return;
                }
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = r[a + l] * r[b + l] + r[c + l];
                }
            }
            case Op.MUL_WIDE, Op.MAD_WIDE -> {
                // operands are already extended to 64 bits by their type; the product fits
                boolean mad = in.op == Op.MAD_WIDE;
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    long v = t.normalize(r[a + l]) * t.normalize(r[b + l]);
                    r[d + l] = mad ? v + r[c + l] : v;
                }
                if (t.size() == 2) {
                    normalize(r, d, m, ArithmeticDecoder.wide(t));
                }
                return;
            }
            case Op.MUL_HI, Op.MAD_HI -> {
                boolean mad = in.op == Op.MAD_HI;
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = mulHi(t, r[a + l], r[b + l]) + (mad ? r[c + l] : 0);
                }
            }
            case Op.DIV, Op.REM -> divide(in, r, m);
            case Op.ABS -> {
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = Math.abs(t.normalize(r[a + l]));
                }
            }
            case Op.NEG -> {
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = -r[a + l];
                }
            }
            case Op.MIN, Op.MAX -> {
                boolean max = in.op == Op.MAX;
                boolean unsigned64 = t.size() == 8 && !t.signed();
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    long x = t.normalize(r[a + l]);
                    long y = t.normalize(r[b + l]);
                    int cmp = unsigned64 ? Long.compareUnsigned(x, y) : Long.compare(x, y);
                    r[d + l] = (cmp < 0) != max ? x : y;
                }
            }
            case Op.AND -> {
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = r[a + l] & r[b + l];
                }
            }
            case Op.OR -> {
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = r[a + l] | r[b + l];
                }
            }
            case Op.XOR -> {
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = r[a + l] ^ r[b + l];
                }
            }
            case Op.NOT -> {
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = ~r[a + l];
                }
            }
            case Op.CNOT -> {
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = t.normalize(r[a + l]) == 0 ? 1 : 0;
                }
            }
            case Op.SHL -> {
                int bits = t.size() * 8;
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    long n = r[b + l] & 0xFFFF_FFFFL;
                    r[d + l] = n >= bits ? 0 : r[a + l] << n;
                }
            }
            case Op.SHR -> {
                int bits = t.size() * 8;
                boolean arithmetic = t.signed();
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    long x = t.normalize(r[a + l]);
                    long n = Math.min(r[b + l] & 0xFFFF_FFFFL, bits);
                    r[d + l] = arithmetic ? x >> Math.min(n, 63) : (n >= 64 ? 0 : x >>> n);
                }
            }
            default -> BitOps.exec(in, r, m);
        }
        normalize(r, d, m, t);
    }

    /** Stores each lane of {@code d} normalized to {@code t}. */
    static void normalize(long[] r, int d, int m, PtxType t) {
        switch (t) {
            case S64, U64, B64, F64 -> { }
            case S32 -> {
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = (int) r[d + l];
                }
            }
            case U32, B32, F32 -> {
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] &= 0xFFFF_FFFFL;
                }
            }
            default -> {
                for (int mm = m; mm != 0; mm &= mm - 1) {
                    int l = Integer.numberOfTrailingZeros(mm);
                    r[d + l] = t.normalize(r[d + l]);
                }
            }
        }
    }

    static long mulHi(PtxType t, long x, long y) {
        switch (t.size()) {
            case 8:
                return t.signed() ? Math.multiplyHigh(x, y) : Math.unsignedMultiplyHigh(x, y);
            case 4:
                return (t.normalize(x) * t.normalize(y)) >> 32;
            default:
                return (t.normalize(x) * t.normalize(y)) >> 16;
        }
    }

    private static void divide(Insn in, long[] r, int m) {
        PtxType t = in.type;
        boolean rem = in.op == Op.REM;
        boolean unsigned64 = t.size() == 8 && !t.signed();
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            long x = t.normalize(r[in.a + l]);
            long y = t.normalize(r[in.b + l]);
            long v;
            if (y == 0) {
                v = rem ? x : -1; // what the hardware's division sequence yields
            } else if (unsigned64) {
                v = rem ? Long.remainderUnsigned(x, y) : Long.divideUnsigned(x, y);
            } else if (t.signed() && y == -1) {
                v = rem ? 0 : -x;
            } else {
                v = rem ? x % y : x / y;
            }
            r[in.d + l] = v;
        }
    }
}
