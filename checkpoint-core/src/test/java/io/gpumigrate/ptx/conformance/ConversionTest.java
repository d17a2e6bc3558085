package io.gpumigrate.ptx.conformance;

import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
                assertEquals(e[j], r[i * k + j], "float_to_int result " + j + " for f=" + f + " d=" + d);
            }
        }
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
                if (j == 18 && Float.isNaN(Float.float16ToFloat((short) v))) {
                    assertSameFloat(Float.NaN, Float.intBitsToFloat((int) r[i * k + j]), "cvt.f32.f16 of a NaN half");
                    continue;
                }
                assertEquals(e[j], r[i * k + j], "int_to_float result " + j + " for v=" + v + " l=" + l + " d=" + d
                        + ": expected 0x" + Long.toHexString(e[j]) + " was 0x" + Long.toHexString(r[i * k + j]));
            }
        }
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
        for (int i = 0; i < N; i++) {
            float f = fs[i];
            String at = " of " + f;
            assertSameFloat((float) Math.rint(f), rf[4 * i], "rintf (cvt.rni.f32.f32)" + at);
            assertSameFloat((float) (f < 0 ? Math.ceil(f) : Math.floor(f)), rf[4 * i + 1], "truncf (cvt.rzi)" + at);
            assertSameFloat((float) Math.floor(f), rf[4 * i + 2], "floorf (cvt.rmi)" + at);
            assertSameFloat((float) Math.ceil(f), rf[4 * i + 3], "ceilf (cvt.rpi)" + at);
            int v = is[i];
            int[] e = {(byte) v, v & 0xff, (short) v, v & 0xffff, (int) ((long) v * 3 >> 1),
                (int) (((v & 0xffffffffL) * 5) >>> 2)};
            for (int j = 0; j < 6; j++) {
                assertEquals(e[j], ri[6 * i + j], "narrowing result " + j + " of " + v);
            }
        }
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
