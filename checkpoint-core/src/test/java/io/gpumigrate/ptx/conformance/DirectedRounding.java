package io.gpumigrate.ptx.conformance;

import java.math.BigDecimal;
import java.util.function.Function;

/**
 * Reference for correctly rounded float and double results in each IEEE rounding mode, which
 * Java's arithmetic (round-to-nearest only) cannot give directly. An exact result is described
 * by a comparator, {@code sign(candidate - exact)}, so quotients and square roots, which have
 * no finite decimal form, are handled exactly too: {@code q = x / y} compares as
 * {@code sign(c * y - x) * sign(y)}. Non-zero exact results only (zero signs are the caller's).
 * Stateless; thread-safe.
 */
final class DirectedRounding {

    /** PTX's rounding modifiers. */
    enum Mode { RN, RZ, RM, RP }

    /** An exact real result: {@code compare(c)} is the sign of {@code c - exact}. */
    interface Exact {
        int compare(BigDecimal candidate);
    }

    private static final BigDecimal FLOAT_OVERFLOW = new BigDecimal(2).pow(128);
    private static final BigDecimal DOUBLE_OVERFLOW = new BigDecimal(2).pow(1024);

    private DirectedRounding() {
    }

    static Exact exactly(BigDecimal value) {
        return c -> c.compareTo(value);
    }

    static Exact quotient(double x, double y) {
        BigDecimal bx = new BigDecimal(x);
        BigDecimal by = new BigDecimal(y);
        int ySign = by.signum();
        return c -> c.multiply(by).compareTo(bx) * ySign;
    }

    static Exact squareRoot(double x) {
        BigDecimal bx = new BigDecimal(x);
        return c -> c.signum() < 0 ? -1 : c.multiply(c).compareTo(bx);
    }

    static float toFloat(Exact exact, double estimate, Mode mode) {
        float down = (float) estimate;
        if (Float.isNaN(down)) {
            throw new IllegalArgumentException("estimate is NaN");
        }
        while (compare(exact, down, DirectedRounding::floatValue) > 0) {
            down = Math.nextDown(down);
        }
        while (down != Float.POSITIVE_INFINITY && compare(exact, Math.nextUp(down), DirectedRounding::floatValue) <= 0) {
            down = Math.nextUp(down);
        }
        float up = compare(exact, down, DirectedRounding::floatValue) == 0 ? down : Math.nextUp(down);
        return switch (mode) {
            case RM -> down;
            case RP -> up;
            case RZ -> up <= 0 ? up : down;
            case RN -> {
                if (up == down) {
                    yield down;
                }
                BigDecimal mid = floatValue(down).add(floatValue(up)).divide(BigDecimal.TWO);
                int c = exact.compare(mid);
                if (c != 0) {
                    yield c > 0 ? down : up;
                }
                yield (Float.floatToRawIntBits(down) & 1) == 0 ? down : up;
            }
        };
    }

    static double toDouble(Exact exact, double estimate, Mode mode) {
        double down = estimate;
        if (Double.isNaN(down)) {
            throw new IllegalArgumentException("estimate is NaN");
        }
        while (compare(exact, down, DirectedRounding::doubleValue) > 0) {
            down = Math.nextDown(down);
        }
        while (down != Double.POSITIVE_INFINITY && compare(exact, Math.nextUp(down), DirectedRounding::doubleValue) <= 0) {
            down = Math.nextUp(down);
        }
        double up = compare(exact, down, DirectedRounding::doubleValue) == 0 ? down : Math.nextUp(down);
        return switch (mode) {
            case RM -> down;
            case RP -> up;
            case RZ -> up <= 0 ? up : down;
            case RN -> {
                if (up == down) {
                    yield down;
                }
                BigDecimal mid = doubleValue(down).add(doubleValue(up)).divide(BigDecimal.TWO);
                int c = exact.compare(mid);
                if (c != 0) {
                    yield c > 0 ? down : up;
                }
                yield (Double.doubleToRawLongBits(down) & 1) == 0 ? down : up;
            }
        };
    }

    /** sign(candidate - exact), where infinities lie beyond every finite exact value. */
    private static <T extends Number> int compare(Exact exact, T candidate, Function<T, BigDecimal> value) {
        double d = candidate.doubleValue();
        if (Double.isInfinite(d)) {
            return d > 0 ? 1 : -1;
        }
        return exact.compare(value.apply(candidate));
    }

    /** A float's exact value; infinities count as 2^128 (where the next binade would start) for midpoints. */
    private static BigDecimal floatValue(Float f) {
        if (Float.isInfinite(f)) {
            return f > 0 ? FLOAT_OVERFLOW : FLOAT_OVERFLOW.negate();
        }
        return new BigDecimal(f.doubleValue());
    }

    private static BigDecimal doubleValue(Double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? DOUBLE_OVERFLOW : DOUBLE_OVERFLOW.negate();
        }
        return new BigDecimal(d);
    }
}
