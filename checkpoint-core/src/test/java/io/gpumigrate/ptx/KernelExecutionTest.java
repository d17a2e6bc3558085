package io.gpumigrate.ptx;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.LaunchConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.gpumigrate.ptx.KernelHarness.grid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs nvcc-compiled kernels ({@code kernels.cu}) on the emulator and compares with what a CPU computes. */
class KernelExecutionTest {

    private KernelHarness h;
    private final Random random = new Random(42);

    @BeforeEach
    void load() throws Exception {
        h = new KernelHarness("kernels.ptx", 2);
    }

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void sharedMemoryAndShuffleReduction() throws CudaException {
        int n = 100_000;
        float[] in = new float[n];
        float want = 0;
        for (int i = 0; i < n; i++) {
            in[i] = (i % 17) * 0.25f;
            want += in[i];
        }
        long dIn = h.floats(in);
        long dOut = h.zeros(4);
        h.launch("reduceSum", new LaunchConfig(8, 1, 1, 256, 1, 1, 256 * 4), dIn, dOut, n);
        assertEquals(want, h.readFloats(dOut, 1)[0]);
    }

    @Test
    void integerAndBitOperationsAndADeviceFunctionWithLocalMemory() throws CudaException {
        int n = 64;
        int[] in = new int[n];
        for (int i = 0; i < n; i++) {
            in[i] = random.nextInt();
        }
        in[3] = 0;
        in[4] = -1;
        long dOut = h.zeros(32L * n);
        h.launch("bits", grid(2, 32), h.ints(in), dOut, n);
        int[] got = h.readInts(dOut, 8 * n);
        for (int i = 0; i < n; i++) {
            int x = in[i];
            int y = in[(i + 1) % n];
            int[] want = {
                Integer.bitCount(x) + (Integer.numberOfLeadingZeros(x) << 8),
                Integer.reverse(x),
                bytePerm(x, y, 0x5140),
                (int) ((((long) y << 32 | (x & 0xFFFF_FFFFL)) << (i & 31)) >>> 32),
                (int) (((x & 0xFFFF_FFFFL) * (y & 0xFFFF_FFFFL)) >>> 32),
                (x * ((x + y) & 7) + y) ^ (x >> 3),
                (int) (((long) x * y) >> 17),
                Integer.divideUnsigned(x, y | 1) + Integer.remainderUnsigned(x, y | 1) + x / -3,
            };
            for (int k = 0; k < 8; k++) {
                assertEquals(want[k], got[8 * i + k], "thread " + i + " result " + k + " for x=" + x + " y=" + y);
            }
        }
    }

    private static int bytePerm(int x, int y, int selector) {
        long bytes = (x & 0xFFFF_FFFFL) | ((long) y << 32);
        int out = 0;
        for (int i = 0; i < 4; i++) {
            int sel = (selector >>> (4 * i)) & 7;
            out |= (int) ((bytes >>> (8 * sel)) & 0xFF) << (8 * i);
        }
        return out;
    }

    @Test
    void divergentLoopsReconvergeBeforeTheBallot() throws CudaException {
        int threads = 64;
        long dOut = h.zeros(8L * threads);
        h.launch("divergent", grid(1, threads), dOut);
        int[] got = h.readInts(dOut, 2 * threads);
        int[] s = new int[threads];
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < t % 7; i++) {
                s[t] += i * t;
            }
            if ((t & 1) != 0) {
                s[t] = -s[t];
            } else if (t % 4 == 0) {
                s[t] += 1000;
            }
        }
        for (int t = 0; t < threads; t++) {
            int ballot = 0;
            for (int l = 0; l < 32; l++) {
                ballot |= s[(t & ~31) + l] > 10 ? 1 << l : 0;
            }
            assertEquals(s[t], got[t], "s of thread " + t);
            assertEquals(ballot, got[threads + t], "ballot seen by thread " + t);
        }
    }

    @Test
    void histogramWithSharedAndGlobalAtomics() throws CudaException {
        int n = 10_000;
        byte[] data = new byte[n];
        random.nextBytes(data);
        int[] want = new int[256];
        for (byte b : data) {
            want[b & 0xFF]++;
        }
        long bins = h.zeros(256 * 4);
        h.launch("histogram", grid(4, 128), h.bytes(data), bins, n);
        assertArrayEquals(want, h.readInts(bins, 256));
    }

    @Test
    void blockScanWithShuffleUp() throws CudaException {
        int blocks = 3;
        int threads = 256;
        int[] in = new int[blocks * threads];
        for (int i = 0; i < in.length; i++) {
            in[i] = random.nextInt(100) - 50;
        }
        long out = h.zeros(4L * in.length);
        h.launch("blockScan", grid(blocks, threads), h.ints(in), out);
        int[] got = h.readInts(out, in.length);
        for (int b = 0; b < blocks; b++) {
            int sum = 0;
            for (int t = 0; t < threads; t++) {
                sum += in[b * threads + t];
                assertEquals(sum, got[b * threads + t], "block " + b + " thread " + t);
            }
        }
    }

    @Test
    void tiledMatmulIn2dGrid() throws CudaException {
        int n = 64;
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        for (int i = 0; i < n * n; i++) {
            a[i] = random.nextInt(9) - 4;
            b[i] = random.nextInt(9) - 4;
        }
        long dc = h.zeros(4L * n * n);
        h.launch("matmul", new LaunchConfig(n / 16, n / 16, 1, 16, 16, 1, 0), h.floats(a), h.floats(b), dc, n);
        float[] got = h.readFloats(dc, n * n);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                float acc = 0;
                for (int k = 0; k < n; k++) {
                    acc += a[r * n + k] * b[k * n + c];
                }
                assertEquals(acc, got[r * n + c], "c[" + r + "][" + c + "]");
            }
        }
    }

    @Test
    void readingPastAnAllocationFailsWithAHelpfulMessage() throws CudaException {
        long in = h.floats(new float[256]);
        long out = h.zeros(4 * 64);
        CudaException e = assertThrows(CudaException.class,
                () -> h.launch("readPastEnd", grid(1, 64), in, out, 256));
        assertEquals(CuResult.ILLEGAL_ADDRESS, e.result());
        String m = e.getMessage();
        for (String part : new String[] {"readPastEnd", "block (0,0,0)", "thread (0,0,0)", "PTX line",
                "ld.global.f32", "0x" + Long.toHexString(in + 1024), "nearest", "past its end"}) {
            assertTrue(m.contains(part), "message lacks '" + part + "': " + m);
        }
    }

    @Test
    void globalAtomicsOfEveryKind() throws CudaException {
        int blocks = 4;
        int threads = 64;
        long counters = h.ints(0, 1000, -1000, -1, 0, 0, 0, 0, 0);
        long wide = h.zeros(16);
        long dsum = h.zeros(8);
        h.launch("atomics", grid(blocks, threads), counters, wide, dsum);
        int total = blocks * threads;
        int xor = 0;
        long sum = 0;
        for (int t = 0; t < total; t++) {
            xor ^= t;
            sum += t;
        }
        int[] c = h.readInts(counters, 9);
        assertArrayEquals(new int[] {total, -(total - 1), total - 1, 0, -1, xor, total % 101, 1000 - (total - 1), 7}, c);
        assertArrayEquals(new long[] {sum << 33, sum}, h.readLongs(wide, 2));
        assertEquals(0.5 * sum, h.readDoubles(dsum, 1)[0]);
    }

    @Test
    void warpCollectivesSeeEveryLane() throws CudaException {
        int[] in = new int[32];
        for (int i = 0; i < 32; i++) {
            in[i] = random.nextInt(12) - 2;
        }
        long out = h.zeros(6 * 32 * 4);
        h.launch("warpOps", grid(1, 32), h.ints(in), out);
        int[] got = h.readInts(out, 6 * 32);
        int sum = 0;
        int over5 = 0;
        boolean all = true;
        boolean any3 = false;
        for (int v : in) {
            sum += v;
            over5 += v > 5 ? 1 : 0;
            all &= v >= 0;
            any3 |= v == 3;
        }
        for (int t = 0; t < 32; t++) {
            int match = 0;
            for (int o = 0; o < 32; o++) {
                match |= in[o] % 4 == in[t] % 4 ? 1 << o : 0;
            }
            assertEquals(match, got[6 * t], "match_any of lane " + t);
            assertEquals(sum, got[6 * t + 1], "reduce_add of lane " + t);
            assertEquals(in[t ^ 5], got[6 * t + 2], "shfl_xor of lane " + t);
            assertEquals(in[(t * 7) & 31], got[6 * t + 3], "shfl of lane " + t);
            assertEquals((t & 1) != 0 ? 0xAAAAAAAA : -1, got[6 * t + 4], "activemask of lane " + t);
            assertEquals((all ? 1 : 0) + (any3 ? 2 : 0) + 4 * over5, got[6 * t + 5], "votes of lane " + t);
        }
    }

    @Test
    void floatAndDoubleArithmeticAndConversions() throws CudaException {
        int n = 40;
        float[] in = new float[n];
        for (int i = 0; i < n; i++) {
            in[i] = (random.nextFloat() - 0.5f) * 8;
        }
        in[0] = 0.25f;
        in[1] = -0.05f;
        in[2] = 1.5f;
        long of = h.zeros(16L * n);
        long od = h.zeros(16L * n);
        long oi = h.zeros(12L * n);
        h.launch("floats", grid(1, 64), h.floats(in), of, od, oi, n);
        float[] f = h.readFloats(of, 4 * n);
        double[] d = h.readDoubles(od, 2 * n);
        int[] ints = h.readInts(oi, 3 * n);
        for (int i = 0; i < n; i++) {
            float x = in[i];
            assertEquals(Math.min(x, 0.5f) + Math.max(x, -2f) + Math.abs(x), f[4 * i], "min/max/abs of " + x);
            assertEquals(Math.fma(x, 3f, -1f) / Math.fma(x, x, 1f), f[4 * i + 1], "fma/div of " + x);
            assertEquals((float) Math.sqrt(Math.abs(x)), f[4 * i + 2], "sqrt of " + x);
            assertEquals(Math.max(0f, Math.min(1f, x)), f[4 * i + 3], "saturate of " + x);
            double xd = x;
            assertEquals(Math.fma(xd, xd, -3.0 / (xd + 10.0)), d[2 * i], "double fma/div of " + x);
            assertEquals(Math.sqrt(Math.abs(xd)) + (double) (long) (xd * 1e6), d[2 * i + 1], "double sqrt/cvt of " + x);
            float ten = x * 10f;
            assertEquals((int) Math.rint(ten), ints[3 * i], "rni of " + ten);
            assertEquals((int) ten, ints[3 * i + 1], "rzi of " + ten);
            assertEquals(ten < 0 ? 0 : (int) Math.floor(ten), ints[3 * i + 2], "rmi.u32 of " + ten);
        }
    }

    @Test
    void halfPrecisionArithmeticAndComparisons() throws CudaException {
        int n = 32;
        short[] a = new short[n];
        short[] b = new short[n];
        int[] pairs = new int[n];
        short[] brain = new short[n];
        for (int i = 0; i < n; i++) {
            a[i] = Float.floatToFloat16(i * 0.5f - 4);
            b[i] = Float.floatToFloat16(3 - i * 0.25f);
            pairs[i] = (Float.floatToFloat16(i) & 0xFFFF) | Float.floatToFloat16(-i * 0.5f) << 16;
            brain[i] = (short) (Float.floatToRawIntBits(i * 1.5f) >>> 16);
        }
        long da = h.shorts(a);
        long db = h.shorts(b);
        long dc = h.zeros(2L * n);
        long dp = h.ints(pairs);
        long dbf = h.shorts(brain);
        long flags = h.zeros(4L * n);
        h.launch("halves", grid(1, n), da, db, dc, dp, dbf, flags, n);
        short[] c = h.readShorts(dc, n);
        int[] p = h.readInts(dp, n);
        short[] bf = h.readShorts(dbf, n);
        int[] f = h.readInts(flags, n);
        for (int i = 0; i < n; i++) {
            float x = Float.float16ToFloat(a[i]);
            float y = Float.float16ToFloat(b[i]);
            float sum = Float.float16ToFloat(Float.floatToFloat16(x + 1));
            assertEquals(Float.floatToFloat16(Math.fma(x, y, sum)), c[i], "hfma of " + x + ", " + y);
            int lo = Float.floatToFloat16(i * x) & 0xFFFF;
            int hi = Float.floatToFloat16(-i * 0.5f * y) & 0xFFFF;
            assertEquals(lo | hi << 16, p[i], "hmul2 of pair " + i);
            assertEquals((short) (Float.floatToRawIntBits(i * 3f) >>> 16), bf[i], "bf16 multiply of " + i * 1.5f);
            assertEquals((x < y ? 1 : 0) + 2 * (x > y ? 1 : 0), f[i], "comparisons of " + x + ", " + y);
        }
    }

    @Test
    void syncwarpAndWarpSize() throws CudaException {
        long out = h.zeros(4 * 32);
        h.launch("warpExchange", grid(1, 32), out);
        int[] got = h.readInts(out, 32);
        for (int lane = 0; lane < 32; lane++) {
            int other = lane ^ 16;
            assertEquals((other < 16 ? other * 3 : -other) + 32_000, got[lane], "lane " + lane);
        }
    }

    @Test
    void asyncCopiesToSharedMemoryArriveBeforeTheWait() throws CudaException {
        int blocks = 2;
        float[] in = new float[blocks * 64 * 4];
        for (int i = 0; i < in.length; i++) {
            in[i] = i * 0.5f;
        }
        long out = h.zeros(4L * blocks * 64);
        h.launch("staged", grid(blocks, 64), h.floats(in), out);
        float[] got = h.readFloats(out, blocks * 64);
        for (int b = 0; b < blocks; b++) {
            for (int t = 0; t < 64; t++) {
                int v = (b * 64 + 63 - t) * 4;
                assertEquals(in[v] + in[v + 1] + in[v + 2] + in[v + 3], got[b * 64 + t], "block " + b + " thread " + t);
            }
        }
    }

    @Test
    void integerDotProducts() throws CudaException {
        int n = 32;
        int[] a = new int[n];
        int[] b = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = random.nextInt();
            b[i] = random.nextInt();
        }
        long out = h.zeros(12L * n);
        h.launch("dots", grid(1, n), h.ints(a), h.ints(b), out);
        int[] got = h.readInts(out, 3 * n);
        for (int t = 0; t < n; t++) {
            int signed = t;
            int unsigned = t;
            for (int k = 0; k < 4; k++) {
                signed += (byte) (a[t] >>> (8 * k)) * (byte) (b[t] >>> (8 * k));
                unsigned += ((a[t] >>> (8 * k)) & 0xFF) * ((b[t] >>> (8 * k)) & 0xFF);
            }
            int lo = 7;
            int hi = 0;
            for (int k = 0; k < 2; k++) {
                short a16 = (short) (a[t] >>> (16 * k));
                lo += a16 * (byte) (b[t] >>> (8 * k));
                hi += a16 * (byte) (b[t] >>> (8 * (k + 2)));
            }
            assertEquals(signed, got[3 * t], "dp4a.s32 of thread " + t);
            assertEquals(unsigned, got[3 * t + 1], "dp4a.u32 of thread " + t);
            assertEquals(lo + hi, got[3 * t + 2], "dp2a of thread " + t);
        }
    }
}
