package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceFunction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * params.cu: parameters of odd sizes and alignments, structs by value. The parameter layout
 * the backend reports must be the C ABI's (each parameter at the next multiple of its
 * alignment), and every field must reach the kernel intact.
 */
class KernelParamsTest extends ConformanceTest {

    @Test
    void layoutFollowsSizesAndAlignments() throws CudaException {
        DeviceFunction f = gpu.kernel("params", "many_params");
        // char@0, Odd{char;double;int3}@8 (32 bytes, align 8), short@40, Tiny[3]@42, double@48,
        // Big[200]@56 (align 4), float@256, pointer@264.
        assertArrayEquals(new int[] {0, 8, 40, 42, 48, 56, 256, 264}, f.params().offsets(), "offsets");
        assertArrayEquals(new int[] {1, 32, 2, 3, 8, 200, 4, 8}, f.params().sizes(), "sizes");
        assertEquals(272, f.params().bufferSize());
    }

    @Test
    void everyFieldArrives() throws CudaException {
        DeviceFunction f = gpu.kernel("params", "many_params");
        int[] words = new int[50];
        Random random = new Random(13);
        for (int i = 0; i < 50; i++) {
            words[i] = random.nextInt(1 << 20) - (1 << 19);
        }
        double oddD = -1234.5678;
        long out = gpu.alloc(8L * 66);
        gpu.launch(f, KernelRunner.grid(1, 64),
                (byte) -7, odd((byte) 'Q', oddD, 11, -22, 33), (short) -30000, new byte[] {(byte) 0xAB, 0x01, (byte) 0xFE},
                Math.PI, big(words), 2.5f, out);
        long[] r = gpu.longs(out, 66);
        long[] expected = {
            -7, 'Q', Double.doubleToRawLongBits(oddD), 11, -22, 33, -30000, 0xAB, 0x01, 0xFE,
            Double.doubleToRawLongBits(Math.PI), Float.floatToRawIntBits(2.5f), (long) (oddD * -22 + 2.5f),
        };
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], r[i], "field " + i);
        }
        for (int t = 0; t < 50; t++) {
            assertEquals((long) words[t] * (t + 1), r[16 + t], "Big.words[" + t + "]");
        }
    }

    @Test
    void structParameterIndexedAtRunTime() throws CudaException {
        int n = 128;
        Random random = new Random(14);
        int[] words = TestInputs.ints(random, 50);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = random.nextInt(10_000);
        }
        long out = gpu.alloc(4L * n);
        gpu.launch(gpu.kernel("params", "indexed_param"), KernelRunner.grid(2, 64), big(words), gpu.upload(idx), out, n);
        int[] r = gpu.ints(out, n);
        for (int i = 0; i < n; i++) {
            assertEquals(words[idx[i] % 50] - i, r[i], "thread " + i + " reading words[" + idx[i] % 50 + "]");
        }
    }

    @Test
    void parameterOfEightKilobytes() throws CudaException {
        int[] words = TestInputs.ints(new Random(15), 2000);
        ByteBuffer b = ByteBuffer.allocate(8000).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        DeviceFunction f = gpu.kernel("params", "huge_param");
        assertArrayEquals(new int[] {0, 8000}, f.params().offsets(), "offsets");
        long out = gpu.alloc(4L * 2000);
        gpu.launch(f, KernelRunner.grid(8, 256), b.array(), out);
        int[] r = gpu.ints(out, 2000);
        for (int t = 0; t < 2000; t++) {
            assertEquals(words[1999 - t] ^ t, r[t], "thread " + t);
        }
    }

    /** struct Odd { char c; double d; int3 v; } as C lays it out: c@0, d@8, v@16, size 32. */
    private static byte[] odd(byte c, double d, int x, int y, int z) {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, c).putDouble(8, d).putInt(16, x).putInt(20, y).putInt(24, z);
        b.put(1, (byte) 0x5A);   // padding must not matter
        return b.array();
    }

    private static byte[] big(int[] words) {
        ByteBuffer b = ByteBuffer.allocate(200).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        return b.array();
    }
}
