package io.gpumigrate.ptx.conformance;

import io.gpumigrate.device.CudaException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** int_bits.cu: popc, clz, brev, ffs, bfe, bfi, bfind, prmt (all modes), funnel shifts, over-wide shifts, cnot, lop3; checked exactly. */
class BitOperationsTest extends ConformanceTest {

    private static final int N = 256;
    private static final String[] BITS32 = {
        "popc.b32", "clz.b32", "brev.b32", "__ffs (brev + bfind.shiftamt)", "__byte_perm (prmt.b32)", "prmt.b32.f4e", "prmt.b32.b4e",
        "prmt.b32.rc8", "prmt.b32.ecl", "prmt.b32.ecr", "prmt.b32.rc16", "bfe.u32", "bfe.s32", "bfi.b32", "bfind.u32",
        "bfind.s32", "bfind.shiftamt.u32", "shf.l.wrap", "shf.r.wrap", "shf.l.clamp", "shf.r.clamp", "shl.b32 (amount 0..63)",
        "shr.u32 (amount 0..63)", "shr.s32 (amount 0..63)", "cnot.b32", "lop3.b32 0x96", "lop3.b32 0xe8", "popc(x & ~y)",
        "clz(x >> z)", "prmt.b32 (sign-replicating selectors)",
    };
    private static final String[] BITS64 = {
        "popc.b64", "clz.b64", "brev.b64", "__ffsll", "bfe.u64", "bfe.s64", "bfi.b64", "bfind.s64",
        "shl.b64 (amount 0..127)", "shr.u64 (amount 0..127)", "shr.s64 (amount 0..127)", "and/or/not.b64",
    };

    /** Bit position in byte 0 and field length in byte 1 (both 0..70, so some exceed the width); random high bits in some. */
    private static int[] positionsAndLengths(Random random, int width) {
        int[] z = new int[N];
        for (int i = 0; i < N; i++) {
            int pos = random.nextInt(width + 8), len = random.nextInt(width + 8);
            z[i] = pos | len << 8 | (random.nextInt(3) == 0 ? random.nextInt() << 16 : 0);
        }
        return z;
    }

    @Test
    void bits32() throws CudaException {
        Random random = new Random(32);
        int[] a = TestInputs.ints(random, N), b = TestInputs.ints(random, N), c = positionsAndLengths(random, 32);
        int k = 30;
        long out = gpu.alloc(4L * N * k);
        gpu.launch(gpu.kernel("int_bits", "bits32"), KernelRunner.grid(N / 64, 64),
                gpu.upload(a), gpu.upload(b), gpu.upload(c), out, N);
        int[] r = gpu.ints(out, N * k);
        Mismatches wrong = new Mismatches("bits32");
        for (int i = 0; i < N; i++) {
            int x = a[i], y = b[i], z = c[i];
            long pair = ((long) y << 32) | (x & 0xffffffffL);
            int amount = z & 63;
            int clamped = Integer.compareUnsigned(z, 32) < 0 ? z : 32;
            int[] e = {
                Integer.bitCount(x), Integer.numberOfLeadingZeros(x), Integer.reverse(x),
                x == 0 ? 0 : Integer.numberOfTrailingZeros(x) + 1,
                BitReference.prmt(x, y, z & 0x7777, BitReference.GENERIC),   // nvcc masks __byte_perm's selector
                BitReference.prmt(x, y, z, BitReference.F4E), BitReference.prmt(x, y, z, BitReference.B4E),
                BitReference.prmt(x, y, z, BitReference.RC8), BitReference.prmt(x, y, z, BitReference.ECL),
                BitReference.prmt(x, y, z, BitReference.ECR), BitReference.prmt(x, y, z, BitReference.RC16),
                (int) BitReference.bfe(x, z, z >>> 8, 32, false), (int) BitReference.bfe(x, z, z >>> 8, 32, true),
                (int) BitReference.bfi(x, y, z, z >>> 8, 32),
                BitReference.bfind(x, 32, false, false), BitReference.bfind(x, 32, true, false),
                BitReference.bfind(x, 32, false, true),
                (int) ((pair << (z & 31)) >>> 32), (int) (pair >>> (z & 31)),
                clamped == 32 ? x : (int) ((pair << clamped) >>> 32), clamped == 32 ? y : (int) (pair >>> clamped),
                amount >= 32 ? 0 : x << amount, amount >= 32 ? 0 : x >>> amount, x >> Math.min(amount, 31),
                ((x & 1) != 0 ? 0 : x) == 0 ? 1 : 0,
                x ^ y ^ z, (x & y) | (x & z) | (y & z),
                Integer.bitCount(x & ~y), Integer.numberOfLeadingZeros(x >>> (z & 31)),
                BitReference.prmt(x, y, z, BitReference.GENERIC),
            };
            for (int j = 0; j < k; j++) {
                wrong.equal(BITS32[j], e[j], r[i * k + j], "of x=0x" + Integer.toHexString(x)
                        + " y=0x" + Integer.toHexString(y) + " z=0x" + Integer.toHexString(z));
            }
        }
        wrong.assertNone();
    }

    @Test
    void bits64() throws CudaException {
        Random random = new Random(6464);
        long[] a = TestInputs.longs(random, N), b = TestInputs.longs(random, N);
        int[] c = positionsAndLengths(random, 64);
        int k = 12;
        long out = gpu.alloc(8L * N * k);
        gpu.launch(gpu.kernel("int_bits", "bits64"), KernelRunner.grid(N / 64, 64),
                gpu.upload(a), gpu.upload(b), gpu.upload(c), out, N);
        long[] r = gpu.longs(out, N * k);
        Mismatches wrong = new Mismatches("bits64");
        for (int i = 0; i < N; i++) {
            long x = a[i], y = b[i];
            int z = c[i];
            int amount = z & 127;
            long[] e = {
                Long.bitCount(x), Long.numberOfLeadingZeros(x), Long.reverse(x),
                x == 0 ? 0 : Long.numberOfTrailingZeros(x) + 1,
                BitReference.bfe(x, z, z >>> 8, 64, false), BitReference.bfe(x, z, z >>> 8, 64, true),
                BitReference.bfi(x, y, z, z >>> 8, 64),
                BitReference.bfind(x, 64, true, false) & 0xffffffffL,
                amount >= 64 ? 0 : x << amount, amount >= 64 ? 0 : x >>> amount, x >> Math.min(amount, 63),
                (x & y) | (~x & (y >>> 3)),
            };
            for (int j = 0; j < k; j++) {
                wrong.equal(BITS64[j], e[j], r[i * k + j], "of x=0x" + Long.toHexString(x)
                        + " y=0x" + Long.toHexString(y) + " z=0x" + Integer.toHexString(z));
            }
        }
        wrong.assertNone();
    }
}
