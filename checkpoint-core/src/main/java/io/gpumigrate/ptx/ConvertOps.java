package io.gpumigrate.ptx;

import java.math.BigDecimal;

/**
 * {@code cvt} between every pair of integer and float types: integer narrowing and widening
 * (with {@code .sat} clamping), integer to float in any rounding mode, float to integer with
 * rounding and saturation (NaN becomes 0), float to float, and half precision.
 */
final class ConvertOps {

    private ConvertOps() {
    }

    static void exec(Insn in, long[] r, int m) {
        final PtxType dt = in.type;
        final PtxType st = in.type2;
        final int d = in.d, a = in.a;
        if (dt.isInteger() && st.isInteger() && (in.flags & Insn.SAT) == 0) {
            for (int mm = m; mm != 0; mm &= mm - 1) {
                int l = Integer.numberOfTrailingZeros(mm);
                r[d + l] = dt.normalize(st.normalize(r[a + l]));
            }
            return;
        }
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            r[d + l] = convert(in, dt, st, r[a + l]);
        }
    }

    private static long convert(Insn in, PtxType dt, PtxType st, long raw) {
        boolean ftz = (in.flags & Insn.FTZ) != 0;
        boolean sat = (in.flags & Insn.SAT) != 0;
        if (st.isInteger()) {
            long v = st.normalize(raw);
            if (dt.isInteger()) {
                return saturate(v, !st.signed() && st.size() == 8, dt);
            }
            return fromInteger(v, st, dt, in.mode, sat);
        }
        double x = switch (st) {
            case F32 -> FloatMath.in32(Float.intBitsToFloat((int) raw), ftz);
            case F16 -> Float.float16ToFloat((short) raw);
            case BF16 -> Float.intBitsToFloat((int) (raw & 0xFFFF) << 16);
            default -> Double.longBitsToDouble(raw);
        };
        if (dt.isInteger()) {
            return toInteger(x, dt, in.mode);
        }
        if ((in.flags & Insn.INTEGRAL) != 0) {
            x = FloatMath.integral(x, in.mode);
        }
        return switch (dt) {
            case F32 -> {
                float f = st == PtxType.F64 ? FloatMath.round32(x, in.mode) : (float) x;
                f = FloatMath.in32(f, ftz);
                yield Float.floatToRawIntBits(sat ? FloatMath.saturate32(f) : f) & 0xFFFF_FFFFL;
            }
            case F16 -> Float.floatToFloat16((float) (sat ? saturate(x) : x)) & 0xFFFFL;
            case BF16 -> toBfloat16((float) (sat ? saturate(x) : x));
            default -> Double.doubleToRawLongBits(sat ? saturate(x) : x);
        };
    }

    /** Rounds a float to bfloat16 (its top 16 bits), to nearest even; NaN stays a quiet NaN. */
    static long toBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return ((bits >>> 16) | 0x40) & 0xFFFF;
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (rounded >>> 16) & 0xFFFF;
    }

    private static double saturate(double x) {
        return Double.isNaN(x) ? 0 : Math.max(0, Math.min(1, x));
    }

    /** Clamps an integer to the range of {@code dt}; {@code fromU64} when the source is an unsigned 64-bit value. */
    private static long saturate(long v, boolean fromU64, PtxType dt) {
        int bits = dt.size() * 8;
        if (fromU64 && v < 0) {
            return dt.signed() ? dt.normalize(bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1) : dt.normalize(-1);
        }
        long min = dt.signed() ? (bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1))) : 0;
        long max = dt.signed() ? (bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1)
                : (bits == 64 ? -1 : (1L << bits) - 1);
        if (bits == 64 && !dt.signed()) {
            return v < 0 ? 0 : v;
        }
        return dt.normalize(Math.max(min, Math.min(max, v)));
    }

    private static long fromInteger(long v, PtxType st, PtxType dt, int mode, boolean sat) {
        boolean u64 = st.size() == 8 && !st.signed();
        BigDecimal exact = u64 && v < 0 ? new BigDecimal(Long.toUnsignedString(v)) : null;
        if (dt == PtxType.F64) {
            double x;
            if (exact != null) {
                x = FloatMath.round64(exact, mode);
            } else if (mode == Mode.RN || Math.abs(v) < (1L << 53)) {
                x = v;
            } else {
                x = FloatMath.round64(new BigDecimal(v), mode);
            }
            return Double.doubleToRawLongBits(sat ? saturate(x) : x);
        }
        float f;
        if (exact == null && (mode == Mode.RN || Math.abs(v) < (1L << 24))) {
            f = v; // Java's long-to-float conversion rounds to nearest even
        } else {
            BigDecimal e = exact != null ? exact : new BigDecimal(v);
            f = FloatMath.directed32(e, mode);
        }
        if (dt == PtxType.F16) {
            return Float.floatToFloat16(sat ? (float) saturate(f) : f) & 0xFFFFL;
        }
        if (dt == PtxType.BF16) {
            return toBfloat16(sat ? FloatMath.saturate32(f) : f);
        }
        return Float.floatToRawIntBits(sat ? FloatMath.saturate32(f) : f) & 0xFFFF_FFFFL;
    }

    private static long toInteger(double x, PtxType dt, int mode) {
        if (Double.isNaN(x)) {
            return 0;
        }
        double i = FloatMath.integral(x, mode);
        int bits = dt.size() * 8;
        if (dt.signed()) {
            long min = bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1));
            long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
            if (i <= min) {
                return dt.normalize(min);
            }
            if (i >= max) {
                return dt.normalize(max);
            }
            return dt.normalize((long) i);
        }
        if (i <= 0) {
            return 0;
        }
        if (bits == 64) {
            if (i >= 18446744073709551615.0) {
                return -1;
            }
            return new BigDecimal(i).toBigInteger().longValue();
        }
        long max = (1L << bits) - 1;
        return i >= max ? max : (long) i;
    }
}
