package io.gpumigrate.ptx.conformance;

import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameFloat;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.ptx.conformance.DirectedRounding.Mode;
import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * convert.cu: cvt between float, double, half, bfloat16 and integers of every width, with each
 * rounding mode. Conversions are exact operations (correctly rounded, saturating to the
 * destination range, NaN to 0), so every result is compared exactly.
 */
class ConversionTest extends ConformanceTest {

    private static final int N = 256;
    private static final double TWO_63 = 0x1p63, TWO_64 = 0x1p64;
    private static final String[] F2I = {
        "cvt.rni.s32.f32", "cvt.rzi.s32.f32", "cvt.rmi.s32.f32", "cvt.rpi.s32.f32",
        "cvt.rni.u32.f32", "cvt.rzi.u32.f32", "cvt.rmi.u32.f32", "cvt.rpi.u32.f32",
        "cvt.rni.s64.f32", "cvt.rzi.s64.f32", "cvt.rmi.s64.f32", "cvt.rpi.s64.f32", "cvt.rzi.u64.f32",
        "cvt.rni.s32.f64", "cvt.rzi.s32.f64", "cvt.rmi.s32.f64", "cvt.rpi.s32.f64", "cvt.rzi.u32.f64",
        "cvt.rni.s64.f64", "cvt.rzi.s64.f64", "cvt.rmi.u64.f64", "cvt.rzi.s16.f32", "cvt.rni.u16.f64", "cvt.sat.s8.s32",
    };
    private static final String[] I2F = {
        "cvt.rn.f32.s32", "cvt.rz.f32.s32", "cvt.rm.f32.s32", "cvt.rp.f32.s32", "cvt.rn.f32.u32",
        "cvt.rn.f32.s64", "cvt.rz.f32.s64", "cvt.rp.f32.u64", "cvt.rn.f64.s64", "cvt.rm.f64.s64", "cvt.rz.f64.u64",
        "cvt.f64.s32", "cvt.rn.f32.f64", "cvt.rz.f32.f64", "cvt.rm.f32.f64", "cvt.rp.f32.f64", "cvt.f64.f32",
        "cvt.rn.f16.f32", "cvt.f32.f16", "cvt.rn.bf16.f32",
    };

    @Test
    void floatToInteger() throws CudaException {
        Random random = new Random(1);
        float[] fs = new float[N];
        double[] ds = new double[N];
        float[] edges = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2.5f, -2.5f, 3.5f, -0.5f, 0.5f,
            3e9f, -3e9f, 5e18f, 1e19f, -1e19f, 1e20f, 65535.7f, -32769f, 127.9f, -129f, 4294967040f};
        for (int i = 0; i < N; i++) {
            fs[i] = i < edges.length ? edges[i] : switch (random.nextInt(3)) {
                case 0 -> (random.nextFloat() - 0.5f) * 600f;
                case 1 -> Math.round((random.nextFloat() - 0.5f) * 40f) / 2.0f;   // exact halves: ties
                default -> (float) ((random.nextDouble() - 0.5) * Math.scalb(1.0, random.nextInt(70)));
            };
            ds[i] = i < edges.length ? (double) edges[(i + 3) % edges.length] + 0.25 : (random.nextDouble() - 0.5) * Math.scalb(1.0, random.nextInt(70));
        }
        int k = 24;
        long out = gpu.alloc(8L * N * k);
        gpu.launch(gpu.kernel("convert", "float_to_int"), KernelRunner.grid(N / 64, 64), gpu.upload(fs), gpu.upload(ds), out, N);
        long[] r = gpu.longs(out, N * k);
        Mode[] modes = {Mode.RN, Mode.RZ, Mode.RM, Mode.RP};
        Mismatches wrong = new Mismatches("float_to_int");
        for (int i = 0; i < N; i++) {
            float f = fs[i];
            double d = ds[i];
            long[] e = new long[k];
            for (int m = 0; m < 4; m++) {
                e[m] = toInt(f, modes[m], Integer.MIN_VALUE, Integer.MAX_VALUE);
                e[4 + m] = toInt(f, modes[m], 0, 0xffffffffL);
                e[8 + m] = toInt(f, modes[m], Long.MIN_VALUE, Long.MAX_VALUE);
                e[13 + m] = toInt(d, modes[m], Integer.MIN_VALUE, Integer.MAX_VALUE);
            }
            e[12] = toUnsignedLong(f, Mode.RZ);
            e[17] = toInt(d, Mode.RZ, 0, 0xffffffffL);
            e[18] = toInt(d, Mode.RN, Long.MIN_VALUE, Long.MAX_VALUE);
            e[19] = toInt(d, Mode.RZ, Long.MIN_VALUE, Long.MAX_VALUE);
            e[20] = toUnsignedLong(d, Mode.RM);
            e[21] = toInt(f, Mode.RZ, Short.MIN_VALUE, Short.MAX_VALUE);
            e[22] = toInt(d, Mode.RN, 0, 0xffff);
            e[23] = Math.max(-128, Math.min(127, e[1]));
            for (int j = 0; j < k; j++) {
                wrong.equal(F2I[j], e[j], r[i * k + j], "of f=" + f + " d=" + d);
            }
        }
        wrong.assertNone();
    }

    @Test
    void integerAndDoubleToFloat() throws CudaException {
        Random random = new Random(2);
        int[] is = TestInputs.ints(random, N);
        long[] ls = TestInputs.longs(random, N);
        double[] ds = TestInputs.doubles(random, N);
        double[] edges = {1e300, -1e300, Double.POSITIVE_INFINITY, 0x1.0000018p0, 65520.0, 65519.99, 1e-40, -1e-46, 3.4028235677973366e38};
        System.arraycopy(edges, 0, ds, 0, edges.length);
        int k = 20;
        long out = gpu.alloc(8L * N * k);
        gpu.launch(gpu.kernel("convert", "int_to_float"), KernelRunner.grid(N / 64, 64),
                gpu.upload(is), gpu.upload(ls), gpu.upload(ds), out, N);
        long[] r = gpu.longs(out, N * k);
        Mode[] modes = {Mode.RN, Mode.RZ, Mode.RM, Mode.RP};
        Mismatches wrong = new Mismatches("int_to_float");
        for (int i = 0; i < N; i++) {
            int v = is[i];
            long l = ls[i];
            double d = ds[i];
            BigDecimal bl = new BigDecimal(l), ul = new BigDecimal(Long.toUnsignedString(l));
            long[] e = new long[k];
            for (int m = 0; m < 4; m++) {
                e[m] = floatBits(new BigDecimal(v), modes[m]);
                e[12 + m] = floatBits(d, modes[m]);
            }
            e[4] = floatBits(new BigDecimal(v & 0xffffffffL), Mode.RN);
            e[5] = floatBits(bl, Mode.RN);
            e[6] = floatBits(bl, Mode.RZ);
            e[7] = floatBits(ul, Mode.RP);
            e[8] = doubleBits(bl, Mode.RN);
            e[9] = doubleBits(bl, Mode.RM);
            e[10] = doubleBits(ul, Mode.RZ);
            e[11] = Double.doubleToRawLongBits(v);
            float rounded = Float.intBitsToFloat((int) e[12]);
            e[16] = Double.doubleToRawLongBits(rounded);
            e[17] = Float.floatToFloat16(rounded) & 0xffff;
            e[18] = Float.floatToRawIntBits(Float.float16ToFloat((short) v)) & 0xffffffffL;
            e[19] = bfloat16(rounded);
            for (int j = 0; j < k; j++) {
                long actual = r[i * k + j];
                if (j == 18 && Float.isNaN(Float.float16ToFloat((short) v))) {
                    wrong.check(I2F[j], () -> assertSameFloat(Float.NaN, Float.intBitsToFloat((int) actual), "of a NaN half"));
                    continue;
                }
                wrong.equal(I2F[j], e[j], actual, "of v=" + v + " l=" + l + " d=" + d);
            }
        }
        wrong.assertNone();
    }

    @Test
    void integralRoundingAndNarrowing() throws CudaException {
        Random random = new Random(3);
        float[] fs = TestInputs.uniform(random, N, -20f, 20f);
        float[] edges = {2.5f, -2.5f, 0.5f, -0.5f, -0.0f, 1e10f, Float.NaN, Float.NEGATIVE_INFINITY, 8388609f, -1.5f};
        System.arraycopy(edges, 0, fs, 0, edges.length);
        int[] is = TestInputs.ints(random, N);
        long fout = gpu.alloc(16L * N), iout = gpu.alloc(24L * N);
        gpu.launch(gpu.kernel("convert", "integral_and_narrow"), KernelRunner.grid(N / 64, 64),
                gpu.upload(fs), gpu.upload(is), fout, iout, N);
        float[] rf = gpu.floats(fout, 4 * N);
        int[] ri = gpu.ints(iout, 6 * N);
        Mismatches wrong = new Mismatches("integral_and_narrow");
        String[] narrow = {"(signed char)", "(unsigned char)", "(short)", "(unsigned short)", "s64 * 3 >> 1", "u64 * 5 >> 2"};
        for (int i = 0; i < N; i++) {
            float f = fs[i];
            String at = " of " + f;
            float[] expected = {(float) Math.rint(f), (float) (f < 0 ? Math.ceil(f) : Math.floor(f)),
                (float) Math.floor(f), (float) Math.ceil(f)};
            String[] names = {"rintf (cvt.rni.f32.f32)", "truncf (cvt.rzi.f32.f32)", "floorf (cvt.rmi.f32.f32)", "ceilf (cvt.rpi.f32.f32)"};
            for (int j = 0; j < 4; j++) {
                float e = expected[j], actual = rf[4 * i + j];
                wrong.check(names[j], () -> assertSameFloat(e, actual, at));
            }
            int v = is[i];
            int[] e = {(byte) v, v & 0xff, (short) v, v & 0xffff, (int) ((long) v * 3 >> 1),
                (int) (((v & 0xffffffffL) * 5) >>> 2)};
            for (int j = 0; j < 6; j++) {
                wrong.equal(narrow[j], e[j], ri[6 * i + j], "of " + v);
            }
        }
        wrong.assertNone();
    }

    /** PTX float-to-integer: round in the mode, clamp to the destination range, NaN to 0. */
    private static long toInt(double x, Mode mode, long lo, long hi) {
        if (Double.isNaN(x)) {
            return 0;
        }
        double rounded = round(x, mode);
        if (rounded <= lo) {
            return lo;
        }
        return rounded >= hi ? hi : (long) rounded;
    }

    /** Conversion to a 64-bit unsigned integer, returned as its bit pattern. */
    private static long toUnsignedLong(double x, Mode mode) {
        if (Double.isNaN(x)) {
            return 0;
        }
        double rounded = round(x, mode);
        if (rounded <= 0) {
            return 0;
        }
        if (rounded >= TWO_64) {
            return -1L;
        }
        return rounded >= TWO_63 ? new BigDecimal(rounded).toBigInteger().longValue() : (long) rounded;
    }

    private static double round(double x, Mode mode) {
        return switch (mode) {
            case RN -> Math.rint(x);
            case RZ -> x < 0 ? Math.ceil(x) : Math.floor(x);
            case RM -> Math.floor(x);
            case RP -> Math.ceil(x);
        };
    }

    private static long floatBits(BigDecimal exact, Mode mode) {
        float f = exact.signum() == 0 ? 0.0f : DirectedRounding.toFloat(DirectedRounding.exactly(exact), exact.doubleValue(), mode);
        return Float.floatToRawIntBits(f) & 0xffffffffL;
    }

    private static long floatBits(double d, Mode mode) {
        if (Double.isInfinite(d) || d == 0) {
            return Float.floatToRawIntBits((float) d) & 0xffffffffL;
        }
        return floatBits(new BigDecimal(d), mode);
    }

    private static long doubleBits(BigDecimal exact, Mode mode) {
        double d = exact.signum() == 0 ? 0.0 : DirectedRounding.toDouble(DirectedRounding.exactly(exact), exact.doubleValue(), mode);
        return Double.doubleToRawLongBits(d);
    }

    /** float to bfloat16, round to nearest even (no NaN inputs here). */
    private static long bfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int lsb = (bits >>> 16) & 1;
        return ((bits + 0x7fff + lsb) >>> 16) & 0xffff;
    }
}
