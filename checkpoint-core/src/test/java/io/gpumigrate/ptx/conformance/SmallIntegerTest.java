package io.gpumigrate.ptx.conformance;

import io.gpumigrate.device.CudaException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** int_small.cu: 8- and 16-bit loads/stores with sign and zero extension, narrowing, and PTX's .s16/.u16 arithmetic. */
class SmallIntegerTest extends ConformanceTest {

    private static final int N = 256;
    private static final String[] SMALL = {
        "add.s16", "sub.s16", "mul.lo.s16", "mul.hi.s16", "mul.hi.u16", "mul.wide.s16", "mul.wide.u16", "mad.lo.s16",
        "div.s16", "rem.s16", "div.u16", "min.s16", "max.u16", "abs.s16", "neg.s16", "shr.s16", "shl.b16",
        "cvt.s8.s16", "cvt.u8.s16", "ld.s8", "ld.u8", "s8 wrap", "u16 wrap", "byte pack",
    };

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
        Mismatches wrong = new Mismatches("small_ints");
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
            String inputs = "of x=" + x + " y=" + y + " c=" + sc + " d=" + uc;
            for (int j = 0; j < k; j++) {
                wrong.equal(SMALL[j], e[j], r[i * k + j], inputs);
            }
            wrong.equal("st.u8", (byte) (x + sc), rb[i], inputs);
            wrong.equal("st.u16", (short) (x * y), rh[i], inputs);
        }
        wrong.assertNone();
    }
}
