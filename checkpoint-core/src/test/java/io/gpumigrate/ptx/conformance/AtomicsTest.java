package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.device.CudaException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * atomics.cu: every atomic operation on global and shared memory, checked through results that
 * do not depend on thread order (sums, extremes, bit sets, wrap-around counters) and through
 * the old values returned (tickets and exchanges must form permutations: no update lost or
 * applied twice). Float sums use values whose sums are exact in any order.
 */
class AtomicsTest extends ConformanceTest {

    private static final int N = 256;
    private static final int LIMIT = 37;

    @Test
    void globalAtomicsOfEveryKind() throws CudaException {
        int[] in = TestInputs.ints(new Random(21), N);
        ByteBuffer init = ByteBuffer.allocate(160).order(ByteOrder.LITTLE_ENDIAN);
        init.putInt(32, Integer.MAX_VALUE).putInt(36, Integer.MIN_VALUE).putInt(40, -1)
                .putLong(48, Long.MAX_VALUE).putLong(56, Long.MIN_VALUE).putInt(72, -1).putLong(88, -1L)
                .putInt(152, Integer.MIN_VALUE);
        long counters = gpu.upload(init.array());
        long tickets = gpu.alloc(4L * N), exchOld = gpu.alloc(4L * N);
        gpu.launch(gpu.kernel("atomics", "global_atomics"), KernelRunner.grid(N / 64, 64),
                gpu.upload(in), counters, tickets, exchOld, N, LIMIT);
        ByteBuffer c = ByteBuffer.wrap(gpu.bytes(counters, 160)).order(ByteOrder.LITTLE_ENDIAN);

        int sum = 0, min = Integer.MAX_VALUE, max = Integer.MIN_VALUE, minU = -1, maxU = 0, and = -1, or = 0, xor = 0;
        long addUll = 0, sumU = 0, maxUll = 0, orUll = 0, xorUll = 0;
        float addF = 0;
        double addD = 0;
        for (int i = 0; i < N; i++) {
            int v = in[i];
            sum += v;
            addUll += (v & 0xffffffffL) << 20;
            sumU += v & 0xffffffffL;
            addF += (v & 255) * 0.25f;
            addD += v * 0.5;
            min = Math.min(min, v);
            max = Math.max(max, v);
            minU = Integer.compareUnsigned(v, minU) < 0 ? v : minU;
            maxU = Integer.compareUnsigned(v, maxU) > 0 ? v : maxU;
            maxUll = Long.compareUnsigned((v & 0xffffffffL) * 3, maxUll) > 0 ? (v & 0xffffffffL) * 3 : maxUll;
            and &= ~(1 << (i & 31)) | v;
            or |= v & 0xF0F0F0F0;
            xor ^= v;
            orUll |= 1L << (v & 63);
            xorUll ^= (long) v << 32;
        }
        assertEquals(N, c.getInt(0), "atomicAdd(int) counter");
        assertEquals(sum, c.getInt(4), "atomicAdd(unsigned)");
        assertEquals(addUll, c.getLong(8), "atomicAdd(unsigned long long)");
        assertEquals(addF, c.getFloat(16), "atomicAdd(float)");
        assertEquals(addD, c.getDouble(24), "atomicAdd(double)");
        assertEquals(min, c.getInt(32), "atomicMin(int)");
        assertEquals(max, c.getInt(36), "atomicMax(int)");
        assertEquals(minU, c.getInt(40), "atomicMin(unsigned)");
        assertEquals(maxU, c.getInt(44), "atomicMax(unsigned)");
        assertEquals(min * 100000L, c.getLong(48), "atomicMin(long long)");
        assertEquals(max * 100000L, c.getLong(56), "atomicMax(long long)");
        assertEquals(maxUll, c.getLong(64), "atomicMax(unsigned long long)");
        assertEquals(and, c.getInt(72), "atomicAnd(unsigned)");
        assertEquals(or, c.getInt(76), "atomicOr(unsigned)");
        assertEquals(xor, c.getInt(80), "atomicXor(unsigned)");
        assertEquals(0L, c.getLong(88), "atomicAnd(unsigned long long): every bit cleared by some thread");
        assertEquals(orUll, c.getLong(96), "atomicOr(unsigned long long)");
        assertEquals(xorUll, c.getLong(104), "atomicXor(unsigned long long)");
        assertEquals(N % (LIMIT + 1), c.getInt(112), "atomicInc wraps to 0 after the limit");
        assertEquals(Math.floorMod(-N, LIMIT + 1), c.getInt(116), "atomicDec wraps to the limit after 0");
        assertEquals(0xABCD000000000000L, c.getLong(128), "atomicExch(unsigned long long)");
        assertEquals(N, c.getInt(136), "atomicCAS lock-free counter");
        assertEquals(sumU, c.getLong(144), "atomicCAS(unsigned long long) lock-free sum");
        assertEquals(max, c.getInt(152), "atomicCAS lock-free maximum");
        assertEquals(sum, c.getInt(156), "red.global.add.u32");

        int[] t = gpu.ints(tickets, N);
        Arrays.sort(t);
        assertArrayEquals(range(0, N), t, "atomicAdd returned each old count exactly once");
        int[] seen = Arrays.copyOf(gpu.ints(exchOld, N), N + 1);
        seen[N] = c.getInt(120);
        Arrays.sort(seen);
        assertArrayEquals(range(0, N + 1), seen, "atomicExch: the old values and the final value are 0..N, each once");
    }

    @Test
    void histogramWithSharedAtomics() throws CudaException {
        int n = 5000;
        Random random = new Random(22);
        byte[] data = new byte[n];
        int[] expected = new int[256];
        for (int i = 0; i < n; i++) {
            int v = random.nextInt(3) == 0 ? random.nextInt(8) : random.nextInt(256);   // skewed: contention on a few bins
            data[i] = (byte) v;
            expected[v]++;
        }
        long bins = gpu.alloc(4L * 256);
        gpu.launch(gpu.kernel("atomics", "histogram"), KernelRunner.grid(3, 128), gpu.upload(data), bins, n);
        assertArrayEquals(expected, gpu.ints(bins, 256), "histogram bins");
    }

    @Test
    void sharedAtomicsOfEveryKind() throws CudaException {
        int blocks = 2, threads = 96;
        int[] in = TestInputs.ints(new Random(23), blocks * threads);
        long out = gpu.alloc(4L * 12 * blocks);
        gpu.launch(gpu.kernel("atomics", "shared_atomics"), KernelRunner.grid(blocks, threads), gpu.upload(in), out);
        int[] r = gpu.ints(out, 12 * blocks);
        for (int b = 0; b < blocks; b++) {
            int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE, and = -1, or = 0, xor = 0;
            long add64 = 0;
            float addF = 0;
            for (int t = 0; t < threads; t++) {
                int v = in[b * threads + t];
                min = Math.min(min, v);
                max = Math.max(max, v);
                and &= v | 0x0F0F0F0F;
                or |= v & 0x00FF00FF;
                xor ^= v;
                add64 += v & 0xffffffffL;
                addF += v & 7;
            }
            int o = 12 * b;
            String blk = " in block " + b;
            assertEquals(min, r[o], "shared atomicMin" + blk);
            assertEquals(max, r[o + 1], "shared atomicMax" + blk);
            assertEquals(and, r[o + 2], "shared atomicAnd" + blk);
            assertEquals(or, r[o + 3], "shared atomicOr" + blk);
            assertEquals(xor, r[o + 4], "shared atomicXor" + blk);
            assertEquals(threads % 11, r[o + 5], "shared atomicInc with limit 10" + blk);
            assertEquals(add64, (r[o + 6] & 0xffffffffL) | ((long) r[o + 7] << 32), "shared 64-bit atomicAdd" + blk);
            assertEquals(Float.floatToRawIntBits(addF), r[o + 8], "shared float atomicAdd" + blk);
            assertTrue(r[o + 9] >= 0 && r[o + 9] < threads, "shared atomicExch leaves one thread's index, was " + r[o + 9] + blk);
            assertEquals(threads * (threads - 1) / 2, r[o + 10], "shared atomicCAS sum of thread indices" + blk);
            assertEquals(threads, r[o + 11], "blockDim.x" + blk);
        }
    }

    @Test
    void lastBlockSumsPartialsAfterThreadfence() throws CudaException {
        int blocks = 6, threads = 64;
        int[] in = TestInputs.ints(new Random(24), blocks * threads);
        long partials = gpu.alloc(4L * blocks), arrived = gpu.alloc(4), total = gpu.alloc(4);
        gpu.launch(gpu.kernel("atomics", "fenced_sum"), KernelRunner.grid(blocks, threads), gpu.upload(in), partials, arrived, total);
        int[] expectedPartials = new int[blocks];
        int sum = 0;
        for (int i = 0; i < in.length; i++) {
            expectedPartials[i / threads] += in[i];
            sum += in[i];
        }
        assertArrayEquals(expectedPartials, gpu.ints(partials, blocks), "per-block partial sums");
        assertEquals(blocks, gpu.ints(arrived, 1)[0], "every block took a ticket");
        assertEquals(sum, gpu.ints(total, 1)[0], "the last block saw every partial sum");
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        Arrays.setAll(r, i -> from + i);
        return r;
    }
}
