package io.gpumigrate.ptx.conformance;

/**
 * CPU reference for PTX bit instructions whose semantics Java lacks: bfe, bfi, bfind, prmt.
 * Written from the pseudo-code of the PTX ISA, one bit (or byte) at a time, so that it is
 * obviously that pseudo-code rather than a clever equivalent. Stateless.
 */
final class BitReference {

    /** Byte index (0..7 of {b, a}) of result bytes 0..3 for each special prmt mode and selector c[1:0]. */
    private static final int[][][] PRMT_MODES = {
        {{0, 1, 2, 3}, {1, 2, 3, 4}, {2, 3, 4, 5}, {3, 4, 5, 6}},  // f4e: forward 4 extract
        {{0, 7, 6, 5}, {1, 0, 7, 6}, {2, 1, 0, 7}, {3, 2, 1, 0}},  // b4e: backward 4 extract
        {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}, {3, 3, 3, 3}},  // rc8: replicate byte
        {{0, 1, 2, 3}, {1, 1, 2, 3}, {2, 2, 2, 3}, {3, 3, 3, 3}},  // ecl: edge clamp left
        {{0, 0, 0, 0}, {0, 1, 1, 1}, {0, 1, 2, 2}, {0, 1, 2, 3}},  // ecr: edge clamp right
        {{0, 1, 0, 1}, {2, 3, 2, 3}, {0, 1, 0, 1}, {2, 3, 2, 3}},  // rc16: replicate half-word
    };

    /** Mode numbers for {@link #prmt(int, int, int, int)}: -1 is the generic form. */
    static final int GENERIC = -1, F4E = 0, B4E = 1, RC8 = 2, ECL = 3, ECR = 4, RC16 = 5;

    private BitReference() {
    }

    static long bfe(long a, int b, int c, int width, boolean signed) {
        int msb = width - 1;
        int pos = b & 0xff, len = c & 0xff;
        long sbit = !signed || len == 0 ? 0 : bit(a, Math.min(pos + len - 1, msb));
        long d = 0;
        for (int i = 0; i <= msb; i++) {
            long v = i < len && pos + i <= msb ? bit(a, pos + i) : sbit;
            d |= v << i;
        }
        return width == 32 ? (signed ? (int) d : d & 0xffffffffL) : d;
    }

    static long bfi(long a, long b, int c, int d, int width) {
        int msb = width - 1;
        int pos = c & 0xff, len = d & 0xff;
        long f = b;
        for (int i = 0; i < len && pos + i <= msb; i++) {
            f = (f & ~(1L << (pos + i))) | (bit(a, i) << (pos + i));
        }
        return f;
    }

    static int bfind(long a, int width, boolean signed, boolean shiftAmount) {
        int msb = width - 1;
        if (signed && bit(a, msb) == 1) {
            a = ~a;
        }
        int d = -1;
        for (int i = msb; i >= 0; i--) {
            if (bit(a, i) == 1) {
                d = i;
                break;
            }
        }
        return shiftAmount && d != -1 ? msb - d : d;
    }

    static int prmt(int a, int b, int c, int mode) {
        long tmp = ((long) b << 32) | (a & 0xffffffffL);
        int d = 0;
        for (int n = 0; n < 4; n++) {
            int value;
            if (mode == GENERIC) {
                int ctl = (c >>> (4 * n)) & 0xf;
                value = (int) (tmp >>> (8 * (ctl & 7))) & 0xff;
                if ((ctl & 8) != 0) {
                    value = (value & 0x80) != 0 ? 0xff : 0;
                }
            } else {
                int source = PRMT_MODES[mode][c & 3][n];
                value = (int) (tmp >>> (8 * source)) & 0xff;
            }
            d |= value << (8 * n);
        }
        return d;
    }

    private static long bit(long v, int i) {
        return (v >>> i) & 1;
    }
}
