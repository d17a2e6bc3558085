package io.gpumigrate.ptx.conformance;

import io.gpumigrate.device.CudaException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** predicates.cu: setp for every comparison (signed, unsigned, ordered and unordered float, NaN), selp, set, predicate logic and @p/@!p guards. */
class PredicateTest extends ConformanceTest {

    private static final int N = 256;
    private static final String[] COMPARE = {
        "setp.eq.s32", "setp.ne.s32", "setp.lt.s32", "setp.le.s32", "setp.gt.s32", "setp.ge.s32", "setp.lt.u32",
        "setp.le.u32", "setp.gt.u32", "setp.ge.u32", "setp.eq.f32", "setp.ne.f32", "setp.lt.f32", "setp.le.f32",
        "setp.gt.f32", "setp.ge.f32", "!(f < g)", "!(f >= g)", "isnan", "isinf", "isfinite", "selp", "set.lt.u32.s32",
        "set.gtu.u32.f32", "set.le.f32.f32", "setp p|q with @p/@q", "and/or/xor/not.pred with @p/@!p",
        "setp.gt.and.s32", "setp.nan.f32", "setp.num.f32", "setp.gt.s64", "selp.f32",
    };

    @Test
    void comparisonsAndGuards() throws CudaException {
        Random random = new Random(5);
        int[] a = TestInputs.ints(random, N), b = TestInputs.ints(random, N);
        float[] fa = TestInputs.uniform(random, N, -4, 4), fb = TestInputs.uniform(random, N, -4, 4);
        float[] specials = {Float.NaN, 1.0f, Float.POSITIVE_INFINITY, -0.0f, 0.0f, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < N; i += 3) {
            fa[i] = specials[i / 3 % specials.length];
            fb[i] = specials[(i / 3 + i / 18) % specials.length];
            if (i % 9 == 0) {
                b[i] = a[i];
                fb[i] = fa[i];
            }
        }
        int k = 32;
        long out = gpu.alloc(4L * N * k);
        gpu.launch(gpu.kernel("predicates", "compare"), KernelRunner.grid(N / 64, 64),
                gpu.upload(a), gpu.upload(b), gpu.upload(fa), gpu.upload(fb), out, N);
        int[] r = gpu.ints(out, N * k);
        Mismatches wrong = new Mismatches("compare");
        for (int i = 0; i < N; i++) {
            int x = a[i], y = b[i];
            float f = fa[i], g = fb[i];
            int uc = Integer.compareUnsigned(x, y);
            boolean unordered = Float.isNaN(f) || Float.isNaN(g);
            int logic = (x > 0 && y > 0 ? 1 : 0) | (!(x > 0 || y > 0) ? 2 : 0) | ((x > 0) ^ (y > 0) ? 4 : 0) | (x <= 0 ? 8 : 0);
            int[] e = {
                b(x == y), b(x != y), b(x < y), b(x <= y), b(x > y), b(x >= y),
                b(uc < 0), b(uc <= 0), b(uc > 0), b(uc >= 0),
                b(f == g), b(f != g), b(f < g), b(f <= g), b(f > g), b(f >= g),
                b(!(f < g)), b(!(f >= g)),
                b(Float.isNaN(f)), b(Float.isInfinite(g)), b(Float.isFinite(f)),
                x < y ? x * 3 : y + 7,
                x < y ? -1 : 0,
                unordered || f > g ? -1 : 0,
                Float.floatToRawIntBits(f <= g ? 1.0f : 0.0f),
                x < y ? 1 : 2,
                logic,
                b(x > y && y < 0),
                b(unordered),
                b(!unordered),
                b((long) x * y > 1000000),
                Float.floatToRawIntBits((x & 1) != 0 ? f + g : f - g),
            };
            for (int j = 0; j < k; j++) {
                int actual = r[i * k + j];
                if (j == 31 && Float.isNaN(Float.intBitsToFloat(e[j])) && Float.isNaN(Float.intBitsToFloat(actual))) {
                    continue;   // any NaN
                }
                wrong.equal(COMPARE[j], e[j], actual, "of x=" + x + " y=" + y + " f=" + f + " g=" + g);
            }
        }
        wrong.assertNone();
    }

    private static int b(boolean v) {
        return v ? 1 : 0;
    }
}
