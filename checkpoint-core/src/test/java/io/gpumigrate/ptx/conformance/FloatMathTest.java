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
        for (int i = 0; i < N; i++) {
            float x = a[i], y = b[i], m = Math.abs(x);
            String at = " of x=" + x + " y=" + y;
            float[] o = new float[k];
            System.arraycopy(r, i * k, o, 0, k);
            if (!Float.isNaN(y)) {
                assertWithinUlps((float) ((double) x / y), o[0], 2, "__fdividef (2 ulp)" + at);
                assertWithinUlps((float) ((double) x / y), o[1], 2, "div.full.f32 (2 ulp)" + at);
                assertWithinUlps((float) (1.0 / y), o[2], 1, "rcp.approx.f32 (1 ulp)" + at);
                assertWithinUlps((float) Math.pow(2, y), o[5], 2, "exp2f (2 ulp)" + at);
                assertWithinUlps((float) Math.exp(y), o[7], 2 + (long) Math.floor(Math.abs(1.173 * y)),
                        "__expf (2 + floor(|1.173 y|) ulp)" + at);
                assertWithinUlps((float) Math.exp(y), o[13], 2, "expf (2 ulp)" + at);
                assertSameFloat(x / y, o[21], "x / y (div.rn.f32, exact)" + at);
                assertSameFloat(Math.fma(x, y, 1.0f), o[23], "fmaf (exact)" + at);
                float product = x * y;
                assertTrue(same(product - y, o[25]) || same(Math.fma(x, y, -y), o[25]),
                        "mul.f32 + sub.f32 may be fused by the code generator, so either rounding is right; got "
                                + o[25] + at);
            }
            // sqrt.approx: relative error 2^-23; rsqrt.approx: 2^-22.9 (PTX ISA). Both under 2 ulp after rounding.
            assertWithinUlps((float) Math.sqrt(m), o[3], 2, "sqrt.approx.f32" + at);
            assertWithinUlps((float) (1 / Math.sqrt(m)), o[4], 2, "rsqrtf" + at);
            double log2 = Math.log(m) / Math.log(2);
            assertWithinUlps((float) log2, o[6], 1, "log2f (1 ulp)" + at);
            if (m >= 0.5f && m <= 2f) {
                assertWithinAbs(Math.log(m), o[8], Math.scalb(1.0, -21) / 1.32, "__logf (abs 2^-21.41 on [0.5, 2])" + at);
            } else {
                assertWithinUlps((float) Math.log(m), o[8], 3, "__logf (3 ulp)" + at);
            }
            assertWithinAbs(Math.sin(x), o[9], 1.0 / (1 << 21) / 1.32, "__sinf (abs 2^-21.41 on [-pi, pi])" + at);
            assertWithinAbs(Math.cos(x), o[10], 1.0 / (1 << 21) / 1.14, "__cosf (abs 2^-21.19 on [-pi, pi])" + at);
            float big = x * 50.0f;
            assertWithinUlps((float) Math.sin(big), o[11], 2, "sinf (2 ulp, full range)" + at);
            assertWithinUlps((float) Math.cos(big), o[12], 2, "cosf (2 ulp, full range)" + at);
            assertWithinUlps((float) Math.log(m), o[14], 1, "logf (1 ulp)" + at);
            assertSameFloat(Float.isNaN(y) ? x : Math.min(x, y), o[15], "fminf" + at);
            assertSameFloat(Float.isNaN(y) ? x : Math.max(x, y), o[16], "fmaxf" + at);
            assertSameFloat(Math.abs(y), o[17], "fabsf" + at);
            assertSameFloat(-y, o[18], "neg" + at);
            assertSameFloat(saturate(x), o[19], "__saturatef(x)" + at);
            assertSameFloat(saturate(x + y), o[20], "__saturatef(x + y)" + at);
            assertSameFloat((float) Math.sqrt(m), o[22], "sqrtf (sqrt.rn.f32, exact)" + at);
            assertSameFloat(Math.copySign(y, x), o[24], "copysignf" + at);
        }
    }

    @Test
    void doublePrecision() throws CudaException {
        Random random = new Random(18);
        double[] a = TestInputs.doubles(random, N), b = TestInputs.doubles(random, N);
        int k = 8;
        long out = gpu.alloc(8L * N * k);
        gpu.launch(gpu.kernel("float_math", "f64_math"), KernelRunner.grid(N / 64, 64), gpu.upload(a), gpu.upload(b), out, N);
        double[] r = gpu.doubles(out, N * k);
        for (int i = 0; i < N; i++) {
            double x = a[i], y = b[i];
            String at = " of x=" + x + " y=" + y;
            assertSameDouble(Math.min(x, y), r[i * k], "fmin" + at);
            assertSameDouble(Math.max(x, y), r[i * k + 1], "fmax" + at);
            assertSameDouble(Math.abs(y), r[i * k + 2], "fabs" + at);
            assertSameDouble(-y, r[i * k + 3], "neg" + at);
            // rsqrt(double): 1 ulp (Programming Guide); Java's 1/sqrt adds at most 1 more.
            assertWithinUlps(1 / Math.sqrt(Math.abs(x)), r[i * k + 4], 2, "rsqrt" + at);
            assertSameDouble(x / y, r[i * k + 5], "x / y (div.rn.f64, exact)" + at);
            assertSameDouble(Math.sqrt(Math.abs(x)), r[i * k + 6], "sqrt (sqrt.rn.f64, exact)" + at);
            assertSameDouble(Math.fma(x, y, 0.5), r[i * k + 7], "fma (exact)" + at);
        }
    }

    private static float saturate(float v) {
        return Float.isNaN(v) ? 0.0f : Math.min(1.0f, Math.max(0.0f, v));
    }

    private static boolean same(float a, float b) {
        return Float.floatToRawIntBits(a) == Float.floatToRawIntBits(b);
    }
}
