package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** int_small.cu: 8- and 16-bit loads/stores with sign and zero extension, narrowing, and PTX's .s16/.u16 arithmetic. */
class SmallIntegerTest extends ConformanceTest {

    private static final int N = 256;

    @Test
    void sixteenAndEightBit() throws CudaException {
        Random random = new Random(16);
        short[] a = new short[N], b = new short[N];
        byte[] c = new byte[N], d = new byte[N];
        for (int i = 0; i < N; i++) {
            a[i] = (short) (i % 5 == 0 ? new short[] {0, -1, Short.MIN_VALUE, Short.MAX_VALUE, 1}[i / 5 % 5] : random.nextInt());
            b[i] = (short) (i % 7 == 0 ? new short[] {0, -1, 1, Short.MIN_VALUE}[i / 7 % 4] : random.nextInt());
            c[i] = (byte) random.nextInt();
            d[i] = (byte) random.nextInt();
            if (a[i] == Short.MIN_VALUE && b[i] == -1) {
                b[i] = 3;  // MIN / -1 overflows 16 bits
            }
        }
        int k = 24;
        long out = gpu.alloc(4L * N * k), bytesOut = gpu.alloc(N), halvesOut = gpu.alloc(2L * N);
        gpu.launch(gpu.kernel("int_small", "small_ints"), KernelRunner.grid(N / 64, 64),
                gpu.upload(a), gpu.upload(b), gpu.upload(c), gpu.upload(d), out, bytesOut, halvesOut, N);
        int[] r = gpu.ints(out, N * k);
        byte[] rb = gpu.bytes(bytesOut, N);
        short[] rh = gpu.shorts(halvesOut, N);
        for (int i = 0; i < N; i++) {
            short x = a[i], y = b[i];
            short ynz = y == 0 ? 1 : y;
            byte sc = c[i];
            int uc = d[i] & 0xff;
            int ux = x & 0xffff, uy = ynz & 0xffff;
            int[] e = {
                (short) (x + y), (short) (x - y), (short) (x * y), (short) ((x * y) >> 16),
                (ux * uy) >>> 16, x * y, ux * uy, (short) (x * y + sc),
                (short) (x / ynz), (short) (x % ynz), ux / uy,
                Math.min(x, y), Math.max(ux, uy), (short) Math.abs(x), (short) -x,
                (short) (x >> Math.min(uc & 31, 15)), (uc & 31) >= 16 ? 0 : (short) (x << (uc & 31)),
                (byte) x, x & 0xff,
                sc, uc, (byte) (sc * uc), (x * 3 - y) & 0xffff, (short) (uc << 8 | (sc & 0xff)),
            };
            for (int j = 0; j < k; j++) {
                assertEquals(e[j], r[i * k + j], "small-int result " + j + " for x=" + x + " y=" + y + " c=" + sc + " d=" + uc);
            }
            assertEquals((byte) (x + sc), rb[i], "st.u8 of x + c at " + i);
            assertEquals((short) (x * y), rh[i], "st.u16 of x * y at " + i);
        }
    }
}
