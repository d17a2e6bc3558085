package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceFunction;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** int_arith.cu: 32- and 64-bit integer arithmetic (add to mad, mul.hi/lo/wide, mul24, sad, div/rem, shifts, min/max, abs, neg), checked exactly. */
class IntegerArithmeticTest extends ConformanceTest {

    private static final int N = 256;

    @Test
    void int32() throws CudaException {
        Random random = new Random(31);
        int[] a = TestInputs.ints(random, N), b = TestInputs.ints(random, N), c = TestInputs.ints(random, N);
        for (int i = 0; i < N; i++) {
            if (a[i] == Integer.MIN_VALUE && b[i] == -1) {
                b[i] = 3;  // MIN / -1 overflows: undefined in C
            }
        }
        int k = 28;
        long out = gpu.alloc(4L * N * k);
        DeviceFunction f = gpu.kernel("int_arith", "int32_arith");
        gpu.launch(f, KernelRunner.grid(N / 64, 64), gpu.upload(a), gpu.upload(b), gpu.upload(c), out, N);
        int[] r = gpu.ints(out, N * k);
        for (int i = 0; i < N; i++) {
            int x = a[i], y = b[i], z = c[i];
            int s = z & 31;
            int[] e = {
                x + y, x - y, x * y,
                (int) (((long) x * y) >> 32),
                (int) (((x & 0xffffffffL) * (y & 0xffffffffL)) >>> 32),
                x * y + z,
                (int) ((long) ((x << 8) >> 8) * ((y << 8) >> 8)),
                (int) (((x & 0xffffffL) * (y & 0xffffffL)) >>> 16),
                (x < y ? y - x : x - y) + z,
                y != 0 ? x / y : 0, y != 0 ? x % y : 0,
                y != 0 ? Integer.divideUnsigned(x, y) : 0, y != 0 ? Integer.remainderUnsigned(x, y) : 0,
                x << s, x >> s, x >>> s,
                Math.min(x, y), Math.max(x, y),
                Integer.compareUnsigned(x, y) < 0 ? x : y, Integer.compareUnsigned(x, y) > 0 ? x : y,
                Math.abs(x), -x, x & y, x | y, x ^ y, ~x, x == 0 ? 1 : 0,
                x * y + z,
            };
            for (int j = 0; j < k; j++) {
                assertEquals(e[j], r[i * k + j], "int32 result " + j + " for x=" + x + " y=" + y + " z=" + z);
            }
        }
    }

    @Test
    void int64AndWide() throws CudaException {
        Random random = new Random(64);
        long[] a = TestInputs.longs(random, N), b = TestInputs.longs(random, N);
        int[] pq = TestInputs.ints(random, 2 * N);
        for (int i = 0; i < N; i++) {
            if (a[i] == Long.MIN_VALUE && b[i] == -1) {
                b[i] = 7;
            }
        }
        int k = 24;
        long out = gpu.alloc(8L * N * k);
        DeviceFunction f = gpu.kernel("int_arith", "int64_arith");
        gpu.launch(f, KernelRunner.grid(N / 32, 32), gpu.upload(a), gpu.upload(b), gpu.upload(pq), out, N);
        long[] r = gpu.longs(out, N * k);
        for (int i = 0; i < N; i++) {
            long x = a[i], y = b[i];
            int p = pq[2 * i], q = pq[2 * i + 1];
            int s = q & 63;
            long[] e = {
                (long) p * q, (p & 0xffffffffL) * (q & 0xffffffffL),
                x + y, x - y, x * y, Math.multiplyHigh(x, y), Math.unsignedMultiplyHigh(x, y), x * y + p,
                y != 0 ? x / y : 0, y != 0 ? x % y : 0,
                y != 0 ? Long.divideUnsigned(x, y) : 0, y != 0 ? Long.remainderUnsigned(x, y) : 0,
                x << s, x >> s, x >>> s,
                Math.min(x, y), Math.max(x, y),
                Long.compareUnsigned(x, y) < 0 ? x : y, Long.compareUnsigned(x, y) > 0 ? x : y,
                Math.abs(x), -x,
                x * y + q,                                   // mad.lo.s64
                Math.unsignedMultiplyHigh(x, y) + p,         // mad.hi.u64
                (long) p * q + x,                            // mad.wide.s32
            };
            for (int j = 0; j < k; j++) {
                assertEquals(e[j], r[i * k + j], "int64 result " + j + " for x=" + x + " y=" + y + " p=" + p + " q=" + q);
            }
        }
    }
}
