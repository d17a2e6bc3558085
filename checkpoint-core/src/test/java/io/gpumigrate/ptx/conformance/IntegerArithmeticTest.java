package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** int_arith.cu: 32- and 64-bit integer arithmetic (add to mad, mul.hi/lo/wide, mul24, sad, div/rem, shifts, min/max, abs, neg), checked exactly. */
class IntegerArithmeticTest extends ConformanceTest {

    private static final int N = 256;
    private static final String[] INT32 = {
        "add.s32", "sub.s32", "mul.lo.s32", "mul.hi.s32", "mul.hi.u32", "mad.lo.s32", "mul24.lo.s32", "mul24.hi.u32",
        "sad.s32", "div.s32", "rem.s32", "div.u32", "rem.u32", "shl.b32", "shr.s32", "shr.u32", "min.s32", "max.s32",
        "min.u32", "max.u32", "abs.s32", "neg.s32", "and.b32", "or.b32", "xor.b32", "not.b32", "!x", "u32 x*y+z",
    };
    private static final String[] INT64 = {
        "mul.wide.s32", "mul.wide.u32", "add.s64", "sub.s64", "mul.lo.s64", "mul.hi.s64", "mul.hi.u64", "x*y+p (s64)",
        "div.s64", "rem.s64", "div.u64", "rem.u64", "shl.b64", "shr.s64", "shr.u64", "min.s64", "max.s64", "min.u64",
        "max.u64", "abs.s64", "neg.s64", "mad.lo.s64", "mad.hi.u64", "mad.wide.s32",
    };

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
        Mismatches wrong = new Mismatches("int32_arith");
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
                wrong.equal(INT32[j], e[j], r[i * k + j], "of x=" + x + " y=" + y + " z=" + z);
            }
        }
        wrong.assertNone();
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
        Mismatches wrong = new Mismatches("int64_arith");
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
                wrong.equal(INT64[j], e[j], r[i * k + j], "of x=" + x + " y=" + y + " p=" + p + " q=" + q);
            }
        }
        wrong.assertNone();
    }

    @Test
    void divisionByZeroDoesNotTrap() throws CudaException {
        long out = gpu.alloc(4 * 7);
        gpu.launch(gpu.kernel("int_arith", "divide_by_zero"), KernelRunner.grid(1, 1), out, 0);
        int[] r = gpu.ints(out, 7);
        assertEquals(0, r[5], "the divisor the kernel saw");
        assertEquals(123, r[6], "the kernel ran past its divisions by zero (results are unspecified)");
    }

    /** dp4a/dp2a lie beyond issue 3's list: run correctly, or refused at load by name. */
    @Test
    void packedDotProducts() throws CudaException {
        Optional<DeviceModule> module = loadOrRefuseNaming("int_dot", "dp");
        if (module.isEmpty()) {
            return;
        }
        Random random = new Random(4);
        int[] a = TestInputs.ints(random, N), b = TestInputs.ints(random, N), c = TestInputs.ints(random, N);
        long out = gpu.alloc(16L * N);
        gpu.launch(gpu.kernel(module.get(), "dot_products"), KernelRunner.grid(N / 64, 64), gpu.upload(a), gpu.upload(b), gpu.upload(c), out, N);
        int[] r = gpu.ints(out, 4 * N);
        Mismatches wrong = new Mismatches("dot_products");
        for (int i = 0; i < N; i++) {
            int x = a[i], y = b[i], z = c[i];
            int s4 = z, u4 = z, lo = z, hi = z;
            for (int j = 0; j < 4; j++) {
                s4 += (byte) (x >> 8 * j) * (byte) (y >> 8 * j);
                u4 += (x >>> 8 * j & 0xff) * (y >>> 8 * j & 0xff);
            }
            for (int j = 0; j < 2; j++) {
                lo += (short) (x >> 16 * j) * (byte) (y >> 8 * j);
                hi += (short) (x >> 16 * j) * (byte) (y >> 8 * (j + 2));
            }
            String inputs = "of x=0x" + Integer.toHexString(x) + " y=0x" + Integer.toHexString(y) + " z=" + z;
            wrong.equal("dp4a.s32.s32", s4, r[4 * i], inputs);
            wrong.equal("dp4a.u32.u32", u4, r[4 * i + 1], inputs);
            wrong.equal("dp2a.lo.s32.s32", lo, r[4 * i + 2], inputs);
            wrong.equal("dp2a.hi.s32.s32", hi, r[4 * i + 3], inputs);
        }
        wrong.assertNone();
    }
}
