package io.gpumigrate.ptx;

/**
 * Half-precision arithmetic (f16, bf16 and the packed f16x2/bf16x2 pairs): each half is
 * widened to float, computed, and rounded back to nearest even. Packed pairs compute their
 * low and high halves independently.
 */
final class HalfOps {

    private HalfOps() {
    }

    /** The low 16 bits of {@code bits} as a float. */
    static float half(long bits, PtxType t) {
        boolean brain = t == PtxType.BF16 || t == PtxType.BF16X2;
        return brain ? Float.intBitsToFloat((int) (bits & 0xFFFF) << 16) : Float.float16ToFloat((short) bits);
    }

    static long toHalf(float v, PtxType t) {
        boolean brain = t == PtxType.BF16 || t == PtxType.BF16X2;
        return brain ? ConvertOps.toBfloat16(v) : Float.floatToFloat16(v) & 0xFFFFL;
    }

    static void exec(Insn in, long[] r, int m) {
        final PtxType t = in.type;
        final int halves = t.size() / 2;
        final boolean ftz = (in.flags & Insn.FTZ) != 0;
        final boolean sat = (in.flags & Insn.SAT) != 0;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            long out = 0;
            for (int k = 0; k < halves; k++) {
                int shift = 16 * k;
                float x = half(r[in.a + l] >>> shift, t);
                float y = in.b >= 0 ? half(r[in.b + l] >>> shift, t) : 0;
                float v = switch (in.op) {
                    case Op.FADD -> x + y;
                    case Op.FSUB -> x - y;
                    case Op.FMUL -> x * y;
                    case Op.FMA -> Math.fma(x, y, half(r[in.c + l] >>> shift, t));
                    case Op.FNEG -> -x;
                    case Op.FABS -> Math.abs(x);
                    case Op.FMIN -> FloatMath.min32(x, y);
                    case Op.FMAX -> FloatMath.max32(x, y);
                    case Op.FEX2 -> (float) Math.pow(2, x);
                    case Op.FTANH -> (float) Math.tanh(x);
                    default -> throw new IllegalStateException("not a half-precision operation: " + in);
                };
                if (sat) {
                    v = FloatMath.saturate32(v);
                }
                long h = toHalf(v, t);
                if (ftz && t != PtxType.BF16 && t != PtxType.BF16X2 && (h & 0x7C00) == 0) {
                    h &= 0x8000; // f16 subnormal results flush to a signed zero
                }
                out |= h << shift;
            }
            r[in.d + l] = out;
        }
    }
}
