package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Float comparisons for the conformance tests. Correctly rounded operations are compared bit
 * for bit ({@link #assertSameFloat}); approximate ones within a number of units in the last
 * place ({@link #assertWithinUlps}) that each test justifies from the documented error bound.
 * Any NaN matches any NaN (PTX produces the canonical NaN, Java may not). Stateless.
 */
final class FloatChecks {

    private FloatChecks() {
    }

    static void assertSameFloat(float expected, float actual, String what) {
        if (Float.isNaN(expected) && Float.isNaN(actual)) {
            return;
        }
        if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(actual)) {
            fail(what + ": expected " + show(expected) + " but was " + show(actual));
        }
    }

    static void assertSameDouble(double expected, double actual, String what) {
        if (Double.isNaN(expected) && Double.isNaN(actual)) {
            return;
        }
        if (Double.doubleToRawLongBits(expected) != Double.doubleToRawLongBits(actual)) {
            fail(what + ": expected " + show(expected) + " but was " + show(actual));
        }
    }

    /** Distance in representable floats between two finite or infinite floats of any sign. */
    static long ulpDistance(float a, float b) {
        return Math.abs(ordinal(a) - ordinal(b));
    }

    static long ulpDistance(double a, double b) {
        long oa = ordinal(a), ob = ordinal(b);
        return (oa ^ ob) < 0 && Math.abs(oa) > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : Math.abs(oa - ob);
    }

    static void assertWithinUlps(float expected, float actual, long ulps, String what) {
        if (Float.isNaN(expected) || Float.isNaN(actual)) {
            if (Float.isNaN(expected) != Float.isNaN(actual)) {
                fail(what + ": expected " + show(expected) + " but was " + show(actual));
            }
            return;
        }
        long d = ulpDistance(expected, actual);
        if (d > ulps) {
            fail(what + ": expected " + show(expected) + " within " + ulps + " ulp but was " + show(actual)
                    + " (" + d + " ulp away)");
        }
    }

    static void assertWithinUlps(double expected, double actual, long ulps, String what) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            if (Double.isNaN(expected) != Double.isNaN(actual)) {
                fail(what + ": expected " + show(expected) + " but was " + show(actual));
            }
            return;
        }
        long d = ulpDistance(expected, actual);
        if (d > ulps) {
            fail(what + ": expected " + show(expected) + " within " + ulps + " ulp but was " + show(actual)
                    + " (" + d + " ulp away)");
        }
    }

    static void assertWithinAbs(double expected, double actual, double tolerance, String what) {
        if (!(Math.abs(expected - actual) <= tolerance)) {
            fail(what + ": expected " + expected + " within " + tolerance + " but was " + actual);
        }
    }

    /** Maps floats onto integers in order, so that adjacent floats differ by one (+0 and -0 coincide). */
    private static long ordinal(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits >= 0 ? bits : -(long) (bits & 0x7fffffff);
    }

    private static long ordinal(double d) {
        long bits = Double.doubleToRawLongBits(d);
        return bits >= 0 ? bits : -(bits & 0x7fffffffffffffffL);
    }

    static String show(float f) {
        return f + " (0x" + Integer.toHexString(Float.floatToRawIntBits(f)) + ")";
    }

    static String show(double d) {
        return d + " (0x" + Long.toHexString(Double.doubleToRawLongBits(d)) + ")";
    }
}
