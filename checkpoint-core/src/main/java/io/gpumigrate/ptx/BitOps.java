package io.gpumigrate.ptx;

/** Bit-field, population, funnel-shift, permute and extended-precision (carry) instructions. */
final class BitOps {

    private BitOps() {
    }

    static void exec(Insn in, long[] r, int m) {
        final int d = in.d, a = in.a, b = in.b, c = in.c;
        final PtxType t = in.type;
        final int bits = t.size() * 8;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            long x = r[a + l];
            long v = switch (in.op) {
                case Op.POPC -> bits == 64 ? Long.bitCount(x) : Integer.bitCount((int) x);
                case Op.CLZ -> bits == 64 ? Long.numberOfLeadingZeros(x) : Integer.numberOfLeadingZeros((int) x);
                case Op.BREV -> bits == 64 ? Long.reverse(x) : Integer.reverse((int) x) & 0xFFFF_FFFFL;
                case Op.BFIND -> bfind(t, x, in.mode == 1);
                case Op.BFE -> bfe(t, x, (int) (r[b + l] & 0xFF), (int) (r[c + l] & 0xFF));
                case Op.BFI -> bfi(bits, x, r[b + l], (int) (r[c + l] & 0xFF), (int) (r[in.e + l] & 0xFF));
                case Op.PRMT -> in.mode == 0 ? prmt((int) x, (int) r[b + l], (int) r[c + l])
                        : prmtMode((int) x, (int) r[b + l], (int) r[c + l] & 3, in.mode);
                case Op.DP4A -> {
                    long acc = r[c + l];
                    for (int k = 0; k < 4; k++) {
                        acc += lane8(x, k, (in.mode & 1) != 0) * lane8(r[b + l], k, (in.mode & 2) != 0);
                    }
                    yield acc;
                }
                case Op.DP2A -> {
                    long acc = r[c + l];
                    int half = in.mode2 == 1 ? 2 : 0;
                    for (int k = 0; k < 2; k++) {
                        long a16 = (in.mode & 1) != 0 ? (short) (x >>> (16 * k)) : (x >>> (16 * k)) & 0xFFFF;
                        acc += a16 * lane8(r[b + l], half + k, (in.mode & 2) != 0);
                    }
                    yield acc;
                }
                case Op.SAD -> {
                    long p = t.normalize(x);
                    long q = t.normalize(r[b + l]);
                    boolean less = t.signed() || t.size() < 8 ? p < q : Long.compareUnsigned(p, q) < 0;
                    yield (less ? q - p : p - q) + r[c + l];
                }
                case Op.MUL24 -> mul24(t, x, r[b + l], in.mode == 1) + (c >= 0 ? r[c + l] : 0);
                case Op.LOP3 -> lop3(x, r[b + l], r[c + l], in.mode);
                case Op.SHF -> shf((int) x, (int) r[b + l], (int) r[c + l], in.mode);
                case Op.ADD_CC, Op.ADDC -> {
                    long carryIn = in.op == Op.ADDC ? r[c + l] : 0;
                    long s = bits == 64 ? x + r[b + l] + carryIn : (x & 0xFFFF_FFFFL) + (r[b + l] & 0xFFFF_FFFFL) + carryIn;
                    if (in.d2 >= 0) {
                        r[in.d2 + l] = bits == 64 ? carry64(x, r[b + l], carryIn) : s >>> 32;
                    }
                    yield s;
                }
                case Op.SUB_CC, Op.SUBC -> {
                    long borrowIn = in.op == Op.SUBC ? r[c + l] : 0; // CC.CF holds the borrow
                    long y = r[b + l];
                    long s = bits == 64 ? x - y - borrowIn : (x & 0xFFFF_FFFFL) - (y & 0xFFFF_FFFFL) - borrowIn;
                    if (in.d2 >= 0) {
                        boolean borrow = bits == 64 ? Long.compareUnsigned(x, y) < 0 || (borrowIn == 1 && x == y)
                                : s < 0;
                        r[in.d2 + l] = borrow ? 1 : 0;
                    }
                    yield s;
                }
                case Op.MAD_CC, Op.MADC -> {
                    long carryIn = in.op == Op.MADC ? r[in.e + l] : 0;
                    long p = in.mode == 1 ? IntegerOps.mulHi(t, x, r[b + l]) : t.normalize(x) * t.normalize(r[b + l]);
                    long addend = r[c + l];
                    long s = bits == 64 ? p + addend + carryIn : (p & 0xFFFF_FFFFL) + (addend & 0xFFFF_FFFFL) + carryIn;
                    if (in.d2 >= 0) {
                        r[in.d2 + l] = bits == 64 ? carry64(p, addend, carryIn) : s >>> 32;
                    }
                    yield s;
                }
                default -> throw new IllegalStateException("not a bit operation: " + in);
            };
            r[d + l] = v;
        }
    }

    /** Byte {@code k} of {@code v}, sign- or zero-extended. */
    private static long lane8(long v, int k, boolean signed) {
        long b = (v >>> (8 * k)) & 0xFF;
        return signed ? (byte) b : b;
    }

    private static long carry64(long x, long y, long carryIn) {
        long s = x + y;
        long carry = Long.compareUnsigned(s, x) < 0 ? 1 : 0;
        return carry + (Long.compareUnsigned(s + carryIn, s) < 0 ? 1 : 0);
    }

    private static long bfind(PtxType t, long x, boolean shiftAmount) {
        int bits = t.size() * 8;
        long v = t.normalize(x);
        if (t.signed() && v < 0) {
            v = ~v;
        }
        if (bits == 32) {
            v &= 0xFFFF_FFFFL;
        }
        if (v == 0) {
            return 0xFFFF_FFFFL;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        return shiftAmount ? bits - 1 - msb : msb;
    }

    private static long bfe(PtxType t, long x, int pos, int len) {
        int bits = t.size() * 8;
        long value = t.normalize(x);
        boolean sign;
        if (!t.signed() || len == 0) {
            sign = false;
        } else {
            int signBit = Math.min(pos + len - 1, bits - 1);
            sign = ((value >>> signBit) & 1) != 0;
        }
        long out = 0;
        for (int i = 0; i < bits; i++) {
            long bit = i < len && pos + i < bits ? (value >>> (pos + i)) & 1 : (sign ? 1 : 0);
            out |= bit << i;
        }
        return out;
    }

    private static long bfi(int bits, long f, long base, int pos, int len) {
        long out = base;
        for (int i = 0; i < len && pos + i < bits; i++) {
            long bit = (f >>> i) & 1;
            out = (out & ~(1L << (pos + i))) | (bit << (pos + i));
        }
        return out;
    }

    private static long prmt(int a, int b, int c) {
        long bytes = (a & 0xFFFF_FFFFL) | ((long) b << 32);
        int out = 0;
        for (int i = 0; i < 4; i++) {
            int sel = (c >>> (4 * i)) & 0xF;
            int index = sel & 7;
            int value = (int) (bytes >>> (8 * index)) & 0xFF;
            if ((sel & 8) != 0) {
                value = (value & 0x80) != 0 ? 0xFF : 0;
            }
            out |= value << (8 * i);
        }
        return out & 0xFFFF_FFFFL;
    }

    /** Byte selectors of prmt's special modes (f4e, b4e, rc8, ecl, ecr, rc16), MSB first, for c = 0..3. */
    private static final String[][] PRMT_MODES = {
        {}, {"3210", "4321", "5432", "6543"}, {"5670", "6701", "7012", "0123"}, {"0000", "1111", "2222", "3333"},
        {"3210", "3211", "3222", "3333"}, {"0000", "1110", "2210", "3210"}, {"1010", "3232", "1010", "3232"},
    };

    private static long prmtMode(int a, int b, int c, int mode) {
        long bytes = (a & 0xFFFF_FFFFL) | ((long) b << 32);
        String sel = PRMT_MODES[mode][c];
        long out = 0;
        for (int i = 0; i < 4; i++) {
            int index = sel.charAt(3 - i) - '0';
            out |= ((bytes >>> (8 * index)) & 0xFF) << (8 * i);
        }
        return out;
    }

    private static long mul24(PtxType t, long x, long y, boolean hi) {
        long a = t.signed() ? ((long) x << 40) >> 40 : x & 0xFF_FFFFL;
        long b = t.signed() ? ((long) y << 40) >> 40 : y & 0xFF_FFFFL;
        long p = a * b;
        return hi ? p >> 16 : p;
    }

    private static long lop3(long a, long b, long c, int lut) {
        long out = 0;
        for (int i = 0; i < 8; i++) {
            if ((lut & (1 << i)) != 0) {
                long ta = (i & 4) != 0 ? a : ~a;
                long tb = (i & 2) != 0 ? b : ~b;
                long tc = (i & 1) != 0 ? c : ~c;
                out |= ta & tb & tc;
            }
        }
        return out & 0xFFFF_FFFFL;
    }

    private static long shf(int lo, int hi, int n, int mode) {
        int shift = (mode & Mode.SHF_CLAMP) != 0 ? Math.min(n & 0xFFFF_FFFF, 32) : n & 31;
        if (n < 0 && (mode & Mode.SHF_CLAMP) != 0) {
            shift = 32;
        }
        long wide = ((long) hi << 32) | (lo & 0xFFFF_FFFFL);
        if ((mode & Mode.SHF_RIGHT) != 0) {
            return (wide >>> shift) & 0xFFFF_FFFFL;
        }
        return ((wide << shift) >>> 32) & 0xFFFF_FFFFL;
    }
}
