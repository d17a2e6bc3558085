package io.gpumigrate.ptx.conformance;

import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameDouble;
import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameFloat;
import static io.gpumigrate.ptx.conformance.FloatChecks.assertWithinAbs;
import static io.gpumigrate.ptx.conformance.FloatChecks.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.device.CudaException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * float_math.cu: approximate instructions (div.approx, div.full, rcp/sqrt/rsqrt approx, ex2,
 * lg2, sin, cos) and CUDA's precise library functions built from them, plus the exact ones
 * (min/max/abs/neg, saturate, IEEE div/sqrt/fma, copysign). Tolerances are the documented
 * maximum errors (CUDA C++ Programming Guide, "Mathematical Functions" and "Intrinsic
 * Functions"; PTX ISA for the raw instructions); the reference is computed in double, which is
 * far more accurate than any bound here, and rounded to float.
 */
class FloatMathTest extends ConformanceTest {

    private static final int N = 256;

    @Test
    void singlePrecision() throws CudaException {
        Random random = new Random(17);
        float[] a = TestInputs.uniform(random, N, (float) -Math.PI, (float) Math.PI);
        float[] b = TestInputs.uniform(random, N, -8f, 8f);
        a[0] = 0.75f;
        b[0] = Float.NaN;   // min/max return the non-NaN operand; saturate gives 0 for NaN
        int k = 26;
        long out = gpu.alloc(4L * N * k);
        gpu.launch(gpu.kernel("float_math", "f32_math"), KernelRunner.grid(N / 64, 64), gpu.upload(a), gpu.upload(b), out, N);
        float[] r = gpu.floats(out, N * k);
        Mismatches wrong = new Mismatches("f32_math");
        for (int i = 0; i < N; i++) {
            float x = a[i], y = b[i], m = Math.abs(x);
            String at = " of x=" + x + " y=" + y;
            float[] o = new float[k];
            System.arraycopy(r, i * k, o, 0, k);
            if (!Float.isNaN(y)) {
                wrong.check("__fdividef (2 ulp)", () -> assertWithinUlps((float) ((double) x / y), o[0], 2, at));
                wrong.check("div.full.f32 (2 ulp)", () -> assertWithinUlps((float) ((double) x / y), o[1], 2, at));
                wrong.check("rcp.approx.f32 (1 ulp)", () -> assertWithinUlps((float) (1.0 / y), o[2], 1, at));
                wrong.check("exp2f (2 ulp)", () -> assertWithinUlps((float) Math.pow(2, y), o[5], 2, at));
                long expUlps = 2 + (long) Math.floor(Math.abs(1.173 * y));
                wrong.check("__expf (2 + floor(|1.173 y|) ulp)", () -> assertWithinUlps((float) Math.exp(y), o[7], expUlps, at));
                wrong.check("expf (2 ulp)", () -> assertWithinUlps((float) Math.exp(y), o[13], 2, at));
                wrong.check("x / y (div.rn.f32, exact)", () -> assertSameFloat(x / y, o[21], at));
                wrong.check("fmaf (exact)", () -> assertSameFloat(Math.fma(x, y, 1.0f), o[23], at));
                float product = x * y;
                // mul.f32 + sub.f32 may be fused by the code generator, so either rounding is right.
                wrong.check("mul.f32 then sub.f32", () -> assertTrue(same(product - y, o[25]) || same(Math.fma(x, y, -y), o[25]),
                        "neither the separately rounded nor the fused result: " + o[25] + at));
            }
            // sqrt.approx: relative error 2^-23; rsqrt.approx: 2^-22.9 (PTX ISA). Both under 2 ulp after rounding.
            wrong.check("sqrt.approx.f32", () -> assertWithinUlps((float) Math.sqrt(m), o[3], 2, at));
            wrong.check("rsqrtf", () -> assertWithinUlps((float) (1 / Math.sqrt(m)), o[4], 2, at));
            double log2 = Math.log(m) / Math.log(2);
            wrong.check("log2f (1 ulp)", () -> assertWithinUlps((float) log2, o[6], 1, at));
            if (m >= 0.5f && m <= 2f) {
                wrong.check("__logf (abs 2^-21.41 on [0.5, 2])", () -> assertWithinAbs(Math.log(m), o[8], Math.scalb(1.0, -21) / 1.32, at));
            } else {
                wrong.check("__logf (3 ulp)", () -> assertWithinUlps((float) Math.log(m), o[8], 3, at));
            }
            wrong.check("__sinf (abs 2^-21.41 on [-pi, pi])", () -> assertWithinAbs(Math.sin(x), o[9], 1.0 / (1 << 21) / 1.32, at));
            wrong.check("__cosf (abs 2^-21.19 on [-pi, pi])", () -> assertWithinAbs(Math.cos(x), o[10], 1.0 / (1 << 21) / 1.14, at));
            float big = x * 50.0f;
            wrong.check("sinf (2 ulp, full range)", () -> assertWithinUlps((float) Math.sin(big), o[11], 2, at));
            wrong.check("cosf (2 ulp, full range)", () -> assertWithinUlps((float) Math.cos(big), o[12], 2, at));
            wrong.check("logf (1 ulp)", () -> assertWithinUlps((float) Math.log(m), o[14], 1, at));
            wrong.check("fminf", () -> assertSameFloat(Float.isNaN(y) ? x : Math.min(x, y), o[15], at));
            wrong.check("fmaxf", () -> assertSameFloat(Float.isNaN(y) ? x : Math.max(x, y), o[16], at));
            wrong.check("fabsf", () -> assertSameFloat(Math.abs(y), o[17], at));
            wrong.check("neg", () -> assertSameFloat(-y, o[18], at));
            wrong.check("__saturatef(x)", () -> assertSameFloat(saturate(x), o[19], at));
            wrong.check("__saturatef(x + y)", () -> assertSameFloat(saturate(x + y), o[20], at));
            wrong.check("sqrtf (sqrt.rn.f32, exact)", () -> assertSameFloat((float) Math.sqrt(m), o[22], at));
            wrong.check("copysignf", () -> assertSameFloat(Math.copySign(y, x), o[24], at));
        }
        wrong.assertNone();
    }

    @Test
    void doublePrecision() throws CudaException {
        Random random = new Random(18);
        double[] a = TestInputs.doubles(random, N), b = TestInputs.doubles(random, N);
        int k = 8;
        long out = gpu.alloc(8L * N * k);
        gpu.launch(gpu.kernel("float_math", "f64_math"), KernelRunner.grid(N / 64, 64), gpu.upload(a), gpu.upload(b), out, N);
        double[] r = gpu.doubles(out, N * k);
        Mismatches wrong = new Mismatches("f64_math");
        for (int i = 0; i < N; i++) {
            double x = a[i], y = b[i];
            int base = i * k;
            String at = " of x=" + x + " y=" + y;
            wrong.check("fmin", () -> assertSameDouble(Math.min(x, y), r[base], at));
            wrong.check("fmax", () -> assertSameDouble(Math.max(x, y), r[base + 1], at));
            wrong.check("fabs", () -> assertSameDouble(Math.abs(y), r[base + 2], at));
            wrong.check("neg", () -> assertSameDouble(-y, r[base + 3], at));
            // rsqrt(double): 1 ulp (Programming Guide); Java's 1/sqrt adds at most 1 more.
            wrong.check("rsqrt", () -> assertWithinUlps(1 / Math.sqrt(Math.abs(x)), r[base + 4], 2, at));
            wrong.check("x / y (div.rn.f64, exact)", () -> assertSameDouble(x / y, r[base + 5], at));
            wrong.check("sqrt (sqrt.rn.f64, exact)", () -> assertSameDouble(Math.sqrt(Math.abs(x)), r[base + 6], at));
            wrong.check("fma (exact)", () -> assertSameDouble(Math.fma(x, y, 0.5), r[base + 7], at));
        }
        wrong.assertNone();
    }

    @Test
    void doublePrecisionLibrary() throws CudaException {
        Random random = new Random(19);
        double[] a = new double[N], b = new double[N];
        for (int i = 0; i < N; i++) {
            a[i] = (random.nextDouble() - 0.5) * 200;
            b[i] = (random.nextDouble() - 0.5) * 10;
        }
        int k = 6;
        long out = gpu.alloc(8L * N * k);
        gpu.launch(gpu.kernel("float_math", "f64_library"), KernelRunner.grid(N / 64, 64), gpu.upload(a), gpu.upload(b), out, N);
        double[] r = gpu.doubles(out, N * k);
        Mismatches wrong = new Mismatches("f64_library");
        // Programming Guide bounds (sin, cos, pow, atan2: 2 ulp; exp, log: 1 ulp) plus 1 ulp for StrictMath's own error.
        for (int i = 0; i < N; i++) {
            double x = a[i], y = b[i];
            int base = i * k;
            String at = " of x=" + x + " y=" + y;
            wrong.check("sin (2 ulp)", () -> assertWithinUlps(StrictMath.sin(x), r[base], 3, at));
            wrong.check("cos (2 ulp)", () -> assertWithinUlps(StrictMath.cos(x), r[base + 1], 3, at));
            wrong.check("exp (1 ulp)", () -> assertWithinUlps(StrictMath.exp(y), r[base + 2], 2, at));
            wrong.check("log (1 ulp)", () -> assertWithinUlps(StrictMath.log(Math.abs(x)), r[base + 3], 2, at));
            wrong.check("pow (2 ulp)", () -> assertWithinUlps(StrictMath.pow(Math.abs(x), y), r[base + 4], 3, at));
            wrong.check("atan2 (2 ulp)", () -> assertWithinUlps(StrictMath.atan2(x, y), r[base + 5], 3, at));
        }
        wrong.assertNone();
    }

    private static float saturate(float v) {
        return Float.isNaN(v) ? 0.0f : Math.min(1.0f, Math.max(0.0f, v));
    }

    private static boolean same(float a, float b) {
        return Float.floatToRawIntBits(a) == Float.floatToRawIntBits(b);
    }
}
