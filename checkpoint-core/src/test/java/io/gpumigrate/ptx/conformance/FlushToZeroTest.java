package io.gpumigrate.ptx.conformance;

import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.ptx.conformance.DirectedRounding.Mode;
import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * float_ftz.cu, compiled with -ftz=true: every f32 instruction carries .ftz, so subnormal
 * inputs count as zero of the same sign and subnormal results become zero of the same sign.
 * The operations are otherwise correctly rounded, so results are compared bit for bit.
 */
class FlushToZeroTest extends ConformanceTest {

    private static final int N = 256;

    @Test
    void subnormalsAreFlushed() throws CudaException {
        Random random = new Random(99);
        float[] a = TestInputs.floats(random, N), b = TestInputs.floats(random, N);
        for (int i = 0; i < N; i += 4) {
            a[i] = Math.scalb(1.0f + random.nextFloat(), -127 - random.nextInt(20)) * (random.nextBoolean() ? 1 : -1);
        }
        a[1] = Float.MIN_VALUE;
        b[1] = 1.0f;              // MIN_VALUE + 1: the subnormal input is read as +0
        a[2] = 0x1p-100f;
        b[2] = 0x1p-30f;          // product 2^-130 is subnormal: flushed
        int k = 10;
        long out = gpu.alloc(4L * N * k);
        gpu.launch(gpu.kernel("float_ftz", "f32_ftz"), KernelRunner.grid(N / 64, 64), gpu.upload(a), gpu.upload(b), out, N);
        float[] r = gpu.floats(out, N * k);
        assertEquals(0x3f800000, Float.floatToRawIntBits(r[k]), "MIN_VALUE + 1.0 with .ftz is exactly 1.0");
        Mismatches wrong = new Mismatches("f32_ftz");
        for (int i = 0; i < N; i++) {
            float x = flush(a[i]), y = flush(b[i]);
            String at = " of x=" + a[i] + " y=" + b[i];
            float[] o = new float[k];
            System.arraycopy(r, i * k, o, 0, k);
            wrong.check("add.rn.ftz", () -> assertSameFloat(flush(x + y), o[0], at));
            wrong.check("mul.rn.ftz", () -> assertSameFloat(flush(x * y), o[1], at));
            float rz = x == 0 ? x : DirectedRounding.toFloat(
                    DirectedRounding.exactly(new BigDecimal(x).multiply(new BigDecimal(0.75))), x * 0.75, Mode.RZ);
            wrong.check("mul.rz.ftz", () -> assertSameFloat(flush(rz), o[2], at));
            wrong.check("fma.rn.ftz", () -> assertSameFloat(flush(Math.fma(x, y, y)), o[3], at));
            wrong.check("sqrt.rn.ftz", () -> assertSameFloat(flush((float) Math.sqrt(Math.abs(x))), o[4], at));
            wrong.check("min.ftz", () -> assertZeroSignFree(Math.min(x, y), o[5], at));
            wrong.check("max.ftz", () -> assertZeroSignFree(Math.max(x, y), o[6], at));
            wrong.check("div.rn.ftz", () -> assertSameFloat(flush(x / 3.0f), o[7], at));
            float scaled = flush(x * 1.0e30f);
            wrong.check("cvt.ftz.sat", () -> assertZeroSignFree(Math.min(1.0f, Math.max(0.0f, scaled)), o[8], at));
            wrong.check("setp.eq.ftz (subnormal == 0)", () -> assertSameFloat(x == 0.0f ? 1.0f : 0.0f, o[9], at));
        }
        wrong.assertNone();
    }

    private static float flush(float v) {
        return Math.abs(v) < Float.MIN_NORMAL ? Math.copySign(0.0f, v) : v;
    }

    /** min/max of +0 and -0, and saturate of -0, may give either zero; otherwise exact. */
    private static void assertZeroSignFree(float expected, float actual, String what) {
        if (expected == 0.0f && actual == 0.0f) {
            return;
        }
        assertSameFloat(expected, actual, what);
    }
}
