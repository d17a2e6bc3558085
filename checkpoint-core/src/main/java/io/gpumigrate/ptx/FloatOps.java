package io.gpumigrate.ptx;

/**
 * Single- and double-precision instructions. The common case (round to nearest, no ftz or
 * sat) runs in plain Java arithmetic, which is IEEE 754 round-to-nearest-even like the GPU;
 * other rounding modes, flushing and saturation go through {@link FloatMath}. Approximate
 * instructions ({@code sin.approx}, {@code ex2.approx}, ...) are computed accurately.
 */
final class FloatOps {

    private FloatOps() {
    }

    static void exec(Insn in, long[] r, int m) {
        if (in.type.isHalf()) {
            HalfOps.exec(in, r, m);
        } else if (in.type == PtxType.F64) {
            exec64(in, r, m);
        } else {
            exec32(in, r, m);
        }
    }

    private static float f(long bits) {
        return Float.intBitsToFloat((int) bits);
    }

    private static long bits(float v) {
        return Float.floatToRawIntBits(v) & 0xFFFF_FFFFL;
    }

    private static void exec32(Insn in, long[] r, int m) {
        final int d = in.d, a = in.a, b = in.b, c = in.c;
        final boolean plain = in.mode == Mode.RN && (in.flags & (Insn.FTZ | Insn.SAT)) == 0;
        if (plain) {
            switch (in.op) {
                case Op.FADD -> {
                    for (int mm = m; mm != 0; mm &= mm - 1) {
                        int l = Integer.numberOfTrailingZeros(mm);
                        r[d + l] = bits(f(r[a + l]) + f(r[b + l]));
                    }
                    return;
                }
                case Op.FSUB -> {
                    for (int mm = m; mm != 0; mm &= mm - 1) {
                        int l = Integer.numberOfTrailingZeros(mm);
                        r[d + l] = bits(f(r[a + l]) - f(r[b + l]));
                    }
                    return;
                }
                case Op.FMUL -> {
                    for (int mm = m; mm != 0; mm &= mm - 1) {
                        int l = Integer.numberOfTrailingZeros(mm);
                        r[d + l] = bits(f(r[a + l]) * f(r[b + l]));
                    }
                    return;
                }
                case Op.FMA -> {
                    for (int mm = m; mm != 0; mm &= mm - 1) {
                        int l = Integer.numberOfTrailingZeros(mm);
                        r[d + l] = bits(Math.fma(f(r[a + l]), f(r[b + l]), f(r[c + l])));
                    }
                    return;
                }
                default -> { }
            }
        }
        final boolean ftz = (in.flags & Insn.FTZ) != 0;
        final boolean sat = (in.flags & Insn.SAT) != 0;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            float x = FloatMath.in32(f(r[a + l]), ftz);
            float y = b >= 0 ? FloatMath.in32(f(r[b + l]), ftz) : 0;
            float v = switch (in.op) {
                case Op.FADD, Op.FSUB, Op.FMUL, Op.FDIV, Op.FRCP, Op.FSQRT -> FloatMath.arithmetic32(in.op, x, y, in.mode);
                case Op.FMA -> FloatMath.fma32(x, y, FloatMath.in32(f(r[c + l]), ftz), in.mode);
                case Op.FRSQRT -> (float) (1.0 / Math.sqrt(x));
                case Op.FSIN -> (float) Math.sin(x);
                case Op.FCOS -> (float) Math.cos(x);
                case Op.FEX2 -> (float) Math.pow(2.0, x);
                case Op.FLG2 -> (float) (Math.log(x) / Math.log(2.0));
                case Op.FTANH -> (float) Math.tanh(x);
                case Op.FABS -> Math.abs(x);
                case Op.FNEG -> -x;
                case Op.FMIN -> FloatMath.min32(x, y);
                case Op.FMAX -> FloatMath.max32(x, y);
                case Op.COPYSIGN -> Math.copySign(y, x);
                default -> throw new IllegalStateException("not a float operation: " + in);
            };
            if (ftz) {
                v = FloatMath.in32(v, true);
            }
            if (sat) {
                v = FloatMath.saturate32(v);
            }
            r[d + l] = bits(v);
        }
    }

    private static double g(long bits) {
        return Double.longBitsToDouble(bits);
    }

    private static void exec64(Insn in, long[] r, int m) {
        final int d = in.d, a = in.a, b = in.b, c = in.c;
        final boolean plain = in.mode == Mode.RN && (in.flags & Insn.SAT) == 0;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            double x = g(r[a + l]);
            double y = b >= 0 ? g(r[b + l]) : 0;
            double v;
            if (plain) {
                v = switch (in.op) {
                    case Op.FADD -> x + y;
                    case Op.FSUB -> x - y;
                    case Op.FMUL -> x * y;
                    case Op.FMA -> Math.fma(x, y, g(r[c + l]));
                    case Op.FDIV -> x / y;
                    case Op.FRCP -> 1.0 / x;
                    case Op.FSQRT -> Math.sqrt(x);
                    default -> other64(in.op, x, y);
                };
            } else {
                v = switch (in.op) {
                    case Op.FADD, Op.FSUB, Op.FMUL, Op.FMA, Op.FDIV, Op.FRCP, Op.FSQRT ->
                            FloatMath.directed64(in.op, x, y, c >= 0 ? g(r[c + l]) : 0, in.mode);
                    default -> other64(in.op, x, y);
                };
                if ((in.flags & Insn.SAT) != 0) {
                    v = Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
                }
            }
            r[d + l] = Double.doubleToRawLongBits(v);
        }
    }

    private static double other64(int op, double x, double y) {
        return switch (op) {
            case Op.FRSQRT -> 1.0 / Math.sqrt(x);
            case Op.FSIN -> Math.sin(x);
            case Op.FCOS -> Math.cos(x);
            case Op.FEX2 -> Math.pow(2.0, x);
            case Op.FLG2 -> Math.log(x) / Math.log(2.0);
            case Op.FTANH -> Math.tanh(x);
            case Op.FABS -> Math.abs(x);
            case Op.FNEG -> -x;
            case Op.FMIN -> FloatMath.min64(x, y);
            case Op.FMAX -> FloatMath.max64(x, y);
            case Op.COPYSIGN -> Math.copySign(y, x);
            default -> throw new IllegalStateException("not a double operation: " + op);
        };
    }
}
