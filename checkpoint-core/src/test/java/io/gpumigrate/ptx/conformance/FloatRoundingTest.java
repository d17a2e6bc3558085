package io.gpumigrate.ptx.conformance;

import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameDouble;
import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameFloat;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.ptx.conformance.DirectedRounding.Exact;
import io.gpumigrate.ptx.conformance.DirectedRounding.Mode;
import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * float_rounding.cu: add, sub, mul, div, fma, rcp and sqrt in f32 and f64 with each rounding
 * mode (rn, rz, rm, rp). IEEE 754 and the PTX ISA define all of these as correctly rounded,
 * so the tolerance is zero: each result must equal the exact result rounded in that mode,
 * bit for bit, subnormals included (no .ftz here).
 */
class FloatRoundingTest extends ConformanceTest {

    private static final int N = 192;
    private static final Mode[] MODES = {Mode.RN, Mode.RZ, Mode.RM, Mode.RP};
    private static final String[] OPS = {"add", "sub", "mul", "div", "fma", "rcp", "sqrt"};

    @Test
    void singlePrecision() throws CudaException {
        Random random = new Random(3232);
        float[] a = TestInputs.floats(random, N), b = TestInputs.floats(random, N), c = TestInputs.floats(random, N);
        addTies(a, b);
        int k = 28;
        long out = gpu.alloc(4L * N * k);
        gpu.launch(gpu.kernel("float_rounding", "f32_rounding"), KernelRunner.grid(N / 64, 64),
                gpu.upload(a), gpu.upload(b), gpu.upload(c), out, N);
        float[] r = gpu.floats(out, N * k);
        Mismatches wrong = new Mismatches("f32_rounding");
        for (int i = 0; i < N; i++) {
            double x = a[i], y = b[i], z = c[i];
            String inputs = " of x=" + a[i] + " y=" + b[i] + " z=" + c[i];
            for (int op = 0; op < OPS.length; op++) {
                for (int m = 0; m < 4; m++) {
                    float expected = isExactZero(op, x, y) ? zeroOfSum(MODES[m])
                            : DirectedRounding.toFloat(exact(op, x, y, z), estimate(op, x, y, z), MODES[m]);
                    float actual = r[i * k + op * 4 + m];
                    wrong.check(OPS[op] + "." + MODES[m].name().toLowerCase() + ".f32",
                            () -> assertSameFloat(expected, actual, inputs));
                }
            }
        }
        wrong.assertNone();
    }

    @Test
    void doublePrecision() throws CudaException {
        Random random = new Random(6464);
        double[] a = TestInputs.doubles(random, N), b = TestInputs.doubles(random, N), c = TestInputs.doubles(random, N);
        int k = 28;
        long out = gpu.alloc(8L * N * k);
        gpu.launch(gpu.kernel("float_rounding", "f64_rounding"), KernelRunner.grid(N / 64, 64),
                gpu.upload(a), gpu.upload(b), gpu.upload(c), out, N);
        double[] r = gpu.doubles(out, N * k);
        Mismatches wrong = new Mismatches("f64_rounding");
        for (int i = 0; i < N; i++) {
            double x = a[i], y = b[i], z = c[i];
            String inputs = " of x=" + x + " y=" + y + " z=" + z;
            for (int op = 0; op < OPS.length; op++) {
                for (int m = 0; m < 4; m++) {
                    double expected = isExactZero(op, x, y) ? zeroOfSum(MODES[m])
                            : DirectedRounding.toDouble(exact(op, x, y, z), estimate(op, x, y, z), MODES[m]);
                    double actual = r[i * k + op * 4 + m];
                    wrong.check(OPS[op] + "." + MODES[m].name().toLowerCase() + ".f64",
                            () -> assertSameDouble(expected, actual, inputs));
                }
            }
        }
        wrong.assertNone();
    }

    /** The first inputs are halfway cases, where rn must pick the even neighbour. */
    private static void addTies(float[] a, float[] b) {
        a[0] = 1.0f;
        b[0] = 0x1p-24f;              // 1 + half an ulp: ties to 1
        a[1] = 1.0f + 0x1p-23f;
        b[1] = 0x1p-24f;              // odd + half an ulp: ties up
        a[2] = -3.0f;
        b[2] = -0x1.8p-23f;          // 3/4 ulp of 3: rounds away in magnitude
        a[3] = Float.MAX_VALUE;
        b[3] = Float.MAX_VALUE;       // overflow: rn/rp give infinity, rz/rm the largest float
        a[4] = Float.MIN_NORMAL;
        b[4] = 0.75f;                 // product is subnormal: gradual underflow
    }

    /** x + y or x - y that cancels exactly (inputs are never zero, so nothing else is exactly zero). */
    private static boolean isExactZero(int op, double x, double y) {
        return op == 0 && x == -y || op == 1 && x == y;
    }

    /** IEEE 754: an exact zero sum of non-zero operands is +0, except -0 when rounding toward minus infinity. */
    private static float zeroOfSum(Mode mode) {
        return mode == Mode.RM ? -0.0f : 0.0f;
    }

    private static Exact exact(int op, double x, double y, double z) {
        BigDecimal bx = new BigDecimal(x), by = new BigDecimal(y), bz = new BigDecimal(z);
        return switch (op) {
            case 0 -> DirectedRounding.exactly(bx.add(by));
            case 1 -> DirectedRounding.exactly(bx.subtract(by));
            case 2 -> DirectedRounding.exactly(bx.multiply(by));
            case 3 -> DirectedRounding.quotient(x, y);
            case 4 -> DirectedRounding.exactly(bx.multiply(by).add(bz));
            case 5 -> DirectedRounding.quotient(1.0, x);
            case 6 -> DirectedRounding.squareRoot(Math.abs(x));
            default -> throw new IllegalArgumentException("op " + op);
        };
    }

    /** A close starting point for the exact search (Java's round-to-nearest result). */
    private static double estimate(int op, double x, double y, double z) {
        return switch (op) {
            case 0 -> x + y;
            case 1 -> x - y;
            case 2 -> x * y;
            case 3 -> x / y;
            case 4 -> Math.fma(x, y, z);
            case 5 -> 1.0 / x;
            case 6 -> Math.sqrt(Math.abs(x));
            default -> throw new IllegalArgumentException("op " + op);
        };
    }
}
