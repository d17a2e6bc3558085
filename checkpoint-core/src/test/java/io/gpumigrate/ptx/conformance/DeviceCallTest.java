package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** calls.cu: __noinline__ device functions with scalar and struct params/returns, recursion, and an indirect call. */
class DeviceCallTest extends ConformanceTest {

    @Test
    void callsRecursionAndFunctionPointers() throws CudaException {
        int n = 96;
        int[] in = TestInputs.ints(new Random(19), n);
        long out = gpu.alloc(48L * n);
        gpu.launch(gpu.kernel("calls", "calls"), KernelRunner.grid(3, 32), gpu.upload(in), out, n);
        long[] r = gpu.longs(out, 6 * n);
        for (int i = 0; i < n; i++) {
            int v = in[i];
            String at = " for thread " + i + " v=" + v;
            assertEquals(v * 31 + i * 7 - 3, r[6 * i], "mix3(int, int, int)" + at);
            assertEquals(Double.doubleToRawLongBits((double) v * 1.5f + (byte) i), r[6 * i + 1], "scale(double, float, char)" + at);
            assertEquals(v + i, r[6 * i + 2], "make_pair(...).a" + at);
            assertEquals(Float.floatToRawIntBits(0.5f * i), r[6 * i + 3], "make_pair(...).b" + at);
            assertEquals(fib(v & 15) + gcd(v & 0xffff, i + 12), r[6 * i + 4], "fib + gcd (recursive)" + at);
            int arg = v & 0xfff;
            int[] table = {2 * arg, arg * arg, -arg};
            assertEquals(table[Integer.remainderUnsigned(v, 3)], r[6 * i + 5], "indirect call" + at);
        }
    }

    private static long fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
