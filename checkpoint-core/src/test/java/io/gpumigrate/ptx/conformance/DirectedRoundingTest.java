package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.ptx.conformance.DirectedRounding.Exact;
import io.gpumigrate.ptx.conformance.DirectedRounding.Mode;
import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks the suite's own rounding reference (no backend): round-to-nearest must agree with
 * Java's IEEE arithmetic, and the directed modes must bracket the exact result one ulp apart.
 */
class DirectedRoundingTest {

    @Test
    void nearestAgreesWithJavaAndDirectedModesBracket() {
        Random random = new Random(77);
        float[] a = TestInputs.floats(random, 2000), b = TestInputs.floats(random, 2000);
        for (int i = 0; i < a.length; i++) {
            float x = a[i], y = b[i];
            check(DirectedRounding.exactly(new BigDecimal(x).add(new BigDecimal(y))), (double) x + y, x + y);
            check(DirectedRounding.exactly(new BigDecimal(x).multiply(new BigDecimal(y))), (double) x * y, x * y);
            check(DirectedRounding.quotient(x, y), (double) x / y, x / y);
            check(DirectedRounding.squareRoot(Math.abs(x)), Math.sqrt(Math.abs(x)), (float) Math.sqrt(Math.abs(x)));
        }
        double[] c = TestInputs.doubles(random, 2000), d = TestInputs.doubles(random, 2000);
        for (int i = 0; i < c.length; i++) {
            double x = c[i], y = d[i];
            Exact q = DirectedRounding.quotient(x, y);
            double rn = DirectedRounding.toDouble(q, x / y, Mode.RN);
            assertEquals(x / y, rn, "rn of " + x + " / " + y);
            double rm = DirectedRounding.toDouble(q, x / y, Mode.RM), rp = DirectedRounding.toDouble(q, x / y, Mode.RP);
            assertTrue(rm <= rn && rn <= rp && (rm == rp || Math.nextUp(rm) == rp), "rm/rp bracket " + x + " / " + y);
        }
    }

    @Test
    void overflowAndTies() {
        Exact twiceMax = DirectedRounding.exactly(new BigDecimal(Float.MAX_VALUE).multiply(BigDecimal.TWO));
        assertEquals(Float.POSITIVE_INFINITY, DirectedRounding.toFloat(twiceMax, 2.0 * Float.MAX_VALUE, Mode.RN));
        assertEquals(Float.MAX_VALUE, DirectedRounding.toFloat(twiceMax, 2.0 * Float.MAX_VALUE, Mode.RZ));
        assertEquals(Float.MAX_VALUE, DirectedRounding.toFloat(twiceMax, 2.0 * Float.MAX_VALUE, Mode.RM));
        assertEquals(Float.POSITIVE_INFINITY, DirectedRounding.toFloat(twiceMax, 2.0 * Float.MAX_VALUE, Mode.RP));
        Exact tie = DirectedRounding.exactly(new BigDecimal(1.0).add(new BigDecimal(0x1p-24)));
        assertEquals(1.0f, DirectedRounding.toFloat(tie, 1.0, Mode.RN), "ties to even");
        assertEquals(Math.nextUp(1.0f), DirectedRounding.toFloat(tie, 1.0, Mode.RP));
        Exact negativeTiny = DirectedRounding.exactly(new BigDecimal(-1e-50));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(DirectedRounding.toFloat(negativeTiny, -1e-50, Mode.RZ)));
        assertEquals(-Float.MIN_VALUE, DirectedRounding.toFloat(negativeTiny, -1e-50, Mode.RM));
    }

    private static void check(Exact exact, double estimate, float javaNearest) {
        float rn = DirectedRounding.toFloat(exact, estimate, Mode.RN);
        assertEquals(javaNearest, rn, "rn agrees with Java for estimate " + estimate);
        float rm = DirectedRounding.toFloat(exact, estimate, Mode.RM), rp = DirectedRounding.toFloat(exact, estimate, Mode.RP);
        float rz = DirectedRounding.toFloat(exact, estimate, Mode.RZ);
        assertTrue(rm <= rn && rn <= rp && (rm == rp || Math.nextUp(rm) == rp), "rm <= rn <= rp, one ulp apart, for " + estimate);
        assertEquals(rz, estimate >= 0 ? rm : rp, "rz rounds toward zero for " + estimate);
    }
}
