package io.gpumigrate.ptx;

import java.math.BigDecimal;
import java.math.MathContext;

/** Rounding modes, flush-to-zero, saturation and the NaN rules of PTX min/max. Stateless. */
final class FloatMath {

    private static final MathContext WIDE = new MathContext(60);

    private FloatMath() {
    }

    /** Flushes a subnormal to a zero of the same sign when {@code ftz}. */
    static float in32(float x, boolean ftz) {
        if (ftz && x != 0 && Math.abs(x) < Float.MIN_NORMAL) {
            return Math.copySign(0f, x);
        }
        return x;
    }

    static float saturate32(float v) {
        return Float.isNaN(v) ? 0f : Math.max(0f, Math.min(1f, v));
    }

    /** Rounds a double to float in the given mode. Exact for the results of single-precision add, sub and mul. */
    static float round32(double x, int mode) {
        float f = (float) x;
        if (mode == Mode.RN || Double.isNaN(x) || Double.isInfinite(x) || f == x) {
            return f;
        }
        return switch (mode) {
            case Mode.RZ -> Math.abs(f) > Math.abs(x) ? Math.nextAfter(f, 0.0) : f;
            case Mode.RM -> f > x ? Math.nextDown(f) : f;
            default -> f < x ? Math.nextUp(f) : f;
        };
    }

    static float fma32(float x, float y, float z, int mode) {
        if (mode == Mode.RN) {
            return Math.fma(x, y, z);
        }
        if (!Float.isFinite(x) || !Float.isFinite(y) || !Float.isFinite(z)) {
            return Math.fma(x, y, z);
        }
        BigDecimal exact = new BigDecimal(x).multiply(new BigDecimal(y)).add(new BigDecimal(z));
        return directed32(exact, mode);
    }

    /** An exact value rounded to float in the given mode, overflow included. */
    static float directed32(BigDecimal exact, int mode) {
        float f = exact.floatValue();
        if (Float.isInfinite(f)) {
            if (mode == Mode.RN) {
                return f;
            }
            boolean toInfinity = mode == Mode.RP ? f > 0 : mode == Mode.RM && f < 0;
            return toInfinity ? f : Math.copySign(Float.MAX_VALUE, f);
        }
        int cmp = new BigDecimal(f).compareTo(exact);
        if (cmp == 0) {
            return f;
        }
        // bracket the exact value between adjacent floats (floatValue() may be off by one ulp)
        float lo = cmp < 0 ? f : Math.nextDown(f);
        float hi = cmp < 0 ? Math.nextUp(f) : f;
        while (Float.isFinite(hi) && new BigDecimal(hi).compareTo(exact) < 0) {
            lo = hi;
            hi = Math.nextUp(hi);
        }
        while (Float.isFinite(lo) && new BigDecimal(lo).compareTo(exact) > 0) {
            hi = lo;
            lo = Math.nextDown(lo);
        }
        return switch (mode) {
            case Mode.RZ -> exact.signum() > 0 ? lo : hi;
            case Mode.RM -> lo;
            case Mode.RP -> hi;
            default -> {
                if (!Float.isFinite(lo) || !Float.isFinite(hi)) {
                    yield f;
                }
                int d = exact.subtract(new BigDecimal(lo)).compareTo(new BigDecimal(hi).subtract(exact));
                yield d < 0 ? lo : d > 0 ? hi : (Float.floatToRawIntBits(lo) & 1) == 0 ? lo : hi;
            }
        };
    }

    /** Single-precision add/sub/mul/div/rcp/sqrt of exact operands, rounded in any mode. */
    static float arithmetic32(int op, float x, float y, int mode) {
        float nearest = switch (op) {
            case Op.FADD -> x + y;
            case Op.FSUB -> x - y;
            case Op.FMUL -> x * y;
            case Op.FDIV -> x / y;
            case Op.FRCP -> 1f / x;
            default -> (float) Math.sqrt(x);
        };
        if (mode == Mode.RN || Float.isNaN(nearest) || !Float.isFinite(x) || !Float.isFinite(y)) {
            return nearest;
        }
        BigDecimal bx = new BigDecimal(x);
        BigDecimal exact = switch (op) {
            case Op.FADD -> bx.add(new BigDecimal(y));
            case Op.FSUB -> bx.subtract(new BigDecimal(y));
            case Op.FMUL -> bx.multiply(new BigDecimal(y));
            case Op.FDIV -> y == 0 ? null : bx.divide(new BigDecimal(y), WIDE);
            case Op.FRCP -> x == 0 ? null : BigDecimal.ONE.divide(bx, WIDE);
            default -> x < 0 ? null : bx.sqrt(WIDE);
        };
        if (exact == null) {
            return nearest;
        }
        if (exact.signum() == 0) {
            return (op == Op.FADD || op == Op.FSUB) ? (float) zeroSum(op, x, y, mode) : nearest;
        }
        return directed32(exact, mode);
    }

    /** Double-precision add/sub/mul/fma/div/rcp/sqrt rounded in a directed mode. */
    static double directed64(int op, double x, double y, double z, int mode) {
        double nearest = switch (op) {
            case Op.FADD -> x + y;
            case Op.FSUB -> x - y;
            case Op.FMUL -> x * y;
            case Op.FMA -> Math.fma(x, y, z);
            case Op.FDIV -> x / y;
            case Op.FRCP -> 1.0 / x;
            default -> Math.sqrt(x);
        };
        if (Double.isNaN(nearest) || !Double.isFinite(x) || !Double.isFinite(y) || !Double.isFinite(z)
                || mode == Mode.RN) {
            return nearest;
        }
        if (Double.isInfinite(nearest)) {
            return overflow(nearest > 0, mode);
        }
        BigDecimal bx = new BigDecimal(x);
        BigDecimal exact = switch (op) {
            case Op.FADD -> bx.add(new BigDecimal(y));
            case Op.FSUB -> bx.subtract(new BigDecimal(y));
            case Op.FMUL -> bx.multiply(new BigDecimal(y));
            case Op.FMA -> bx.multiply(new BigDecimal(y)).add(new BigDecimal(z));
            case Op.FDIV -> y == 0 ? null : bx.divide(new BigDecimal(y), WIDE);
            case Op.FRCP -> x == 0 ? null : BigDecimal.ONE.divide(bx, WIDE);
            default -> x < 0 ? null : bx.sqrt(WIDE);
        };
        if (exact == null) {
            return nearest;
        }
        if (exact.signum() == 0) {
            return nearest == 0 && (op == Op.FADD || op == Op.FSUB) ? zeroSum(op, x, y, mode) : nearest;
        }
        return round64(exact, mode);
    }

    /** A finite result too large for a double, rounded in a directed mode. */
    private static double overflow(boolean positive, int mode) {
        boolean toInfinity = mode == Mode.RP ? positive : mode == Mode.RM && !positive;
        double v = toInfinity ? Double.POSITIVE_INFINITY : Double.MAX_VALUE;
        return positive ? v : -v;
    }

    /** The sign of an exactly zero sum: +0, except -0 when rounding down or when both addends are -0. */
    static double zeroSum(int op, double x, double y, int mode) {
        double yy = op == Op.FSUB ? -y : y;
        boolean bothNegativeZero = x == 0 && yy == 0 && 1 / x < 0 && 1 / yy < 0;
        boolean bothPositiveZero = x == 0 && yy == 0 && 1 / x > 0 && 1 / yy > 0;
        if (bothNegativeZero || (mode == Mode.RM && !bothPositiveZero)) {
            return -0.0;
        }
        return 0.0;
    }

    static double round64(BigDecimal exact, int mode) {
        double f = exact.doubleValue();
        if (Double.isInfinite(f)) {
            return mode == Mode.RN ? f : overflow(f > 0, mode);
        }
        int cmp = new BigDecimal(f).compareTo(exact);
        if (cmp == 0) {
            return f;
        }
        double lo = cmp < 0 ? f : Math.nextDown(f);
        double hi = cmp < 0 ? Math.nextUp(f) : f;
        while (Double.isFinite(hi) && new BigDecimal(hi).compareTo(exact) < 0) {
            lo = hi;
            hi = Math.nextUp(hi);
        }
        while (Double.isFinite(lo) && new BigDecimal(lo).compareTo(exact) > 0) {
            hi = lo;
            lo = Math.nextDown(lo);
        }
        return switch (mode) {
            case Mode.RZ -> exact.signum() > 0 ? lo : hi;
            case Mode.RM -> lo;
            case Mode.RP -> hi;
            default -> {
                if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
                    yield f;
                }
                int d = exact.subtract(new BigDecimal(lo)).compareTo(new BigDecimal(hi).subtract(exact));
                yield d < 0 ? lo : d > 0 ? hi : (Double.doubleToRawLongBits(lo) & 1) == 0 ? lo : hi;
            }
        };
    }

    /** PTX min: a NaN operand yields the other; -0 is below +0. */
    static float min32(float x, float y) {
        if (Float.isNaN(x)) {
            return y;
        }
        if (Float.isNaN(y)) {
            return x;
        }
        return Math.min(x, y);
    }

    static float max32(float x, float y) {
        if (Float.isNaN(x)) {
            return y;
        }
        if (Float.isNaN(y)) {
            return x;
        }
        return Math.max(x, y);
    }

    static double min64(double x, double y) {
        return Double.isNaN(x) ? y : Double.isNaN(y) ? x : Math.min(x, y);
    }

    static double max64(double x, double y) {
        return Double.isNaN(x) ? y : Double.isNaN(y) ? x : Math.max(x, y);
    }

    /** Rounds to an integral value in the given mode (cvt.rni and friends). */
    static double integral(double x, int mode) {
        return switch (mode) {
            case Mode.RN -> Math.rint(x);
            case Mode.RZ -> x < 0 ? Math.ceil(x) : Math.floor(x);
            case Mode.RM -> Math.floor(x);
            default -> Math.ceil(x);
        };
    }
}
