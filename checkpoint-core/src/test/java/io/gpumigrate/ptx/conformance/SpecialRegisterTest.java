package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.LaunchConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** special_registers.cu: thread and block indices in 3D, lane and warp ids, lane masks, SM ids, clocks and the global timer. */
class SpecialRegisterTest extends ConformanceTest {

    @Test
    void indicesInThreeDimensions() throws CudaException {
        LaunchConfig config = new LaunchConfig(2, 3, 2, 8, 4, 2, 0);
        int threads = (int) (config.blocks() * config.threadsPerBlock()), k = 16;
        long out = gpu.alloc(4L * threads * k);
        gpu.launch(gpu.kernel("special_registers", "ids3d"), config, out);
        int[] r = gpu.ints(out, threads * k);
        Map<Integer, Integer> warpIdOfWarp = new HashMap<>();
        for (int bz = 0; bz < 2; bz++) {
            for (int by = 0; by < 3; by++) {
                for (int bx = 0; bx < 2; bx++) {
                    Set<Integer> warpIdsInBlock = new HashSet<>();
                    for (int tz = 0; tz < 2; tz++) {
                        for (int ty = 0; ty < 4; ty++) {
                            for (int tx = 0; tx < 8; tx++) {
                                int block = bx + 2 * (by + 3 * bz), thread = tx + 8 * (ty + 4 * tz);
                                int g = block * 64 + thread, o = g * k;
                                String at = " of block (" + bx + "," + by + "," + bz + ") thread (" + tx + "," + ty + "," + tz + ")";
                                int[] e = {tx, ty, tz, bx, by, bz, 8, 4, 2, 2, 3, 2};
                                for (int j = 0; j < e.length; j++) {
                                    assertEquals(e[j], r[o + j], "register " + j + at);
                                }
                                int lane = thread & 31;
                                assertEquals(lane, r[o + 12], "%laneid" + at);
                                int warpId = r[o + 13], nwarpId = r[o + 14];
                                assertTrue(warpId >= 0 && warpId < nwarpId, "%warpid " + warpId + " below %nwarpid " + nwarpId + at);
                                Integer first = warpIdOfWarp.putIfAbsent(g / 32, warpId);
                                assertEquals(first == null ? warpId : first, warpId, "%warpid is the same on every lane of a warp" + at);
                                if (lane == 0) {
                                    assertTrue(warpIdsInBlock.add(warpId), "warps of one block have distinct %warpid" + at);
                                }
                                assertEquals((1 << lane) - 1, r[o + 15], "%lanemask_lt" + at);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void clocksAdvanceAndGlobalTimerNeverGoesBack() throws CudaException {
        int threads = 64;
        int[] work = new int[threads];
        for (int t = 0; t < threads; t++) {
            work[t] = 1 + t * 3;
        }
        long workPtr = gpu.upload(work);
        long first = gpu.alloc(80L * threads), second = gpu.alloc(80L * threads);
        var kernel = gpu.kernel("special_registers", "timers");
        gpu.launch(kernel, KernelRunner.grid(2, 32), workPtr, first);
        gpu.launch(kernel, KernelRunner.grid(2, 32), workPtr, second);
        long[] a = gpu.longs(first, 10 * threads), b = gpu.longs(second, 10 * threads);
        long lastOfFirst = Long.MIN_VALUE, firstOfSecond = Long.MAX_VALUE;
        for (int t = 0; t < threads; t++) {
            int o = 10 * t, lane = t & 31;
            String at = " on thread " + t;
            assertTrue(a[o + 1] > a[o], "clock64 advances across a loop: " + a[o] + " then " + a[o + 1] + at);
            assertTrue(a[o + 2] > 0, "%globaltimer is running" + at);
            assertTrue(a[o + 3] >= a[o + 2], "%globaltimer non-decreasing within a thread" + at);
            assertTrue(a[o + 4] > 0 && a[o + 4] < 1L << 31, "%clock difference across the loop: " + a[o + 4] + at);
            assertTrue(a[o + 5] < a[o + 6], "%smid " + a[o + 5] + " below %nsmid " + a[o + 6] + at);
            assertEquals(1L << lane, a[o + 7], "%lanemask_eq" + at);
            assertEquals((-1 << lane) & 0xffffffffL, a[o + 8], "%lanemask_ge" + at);
            int acc = 0;
            for (int j = 0; j < work[t]; j++) {
                acc = acc * 3 + j;
            }
            assertEquals(acc, a[o + 9], "loop result" + at);
            lastOfFirst = Math.max(lastOfFirst, a[o + 3]);
            firstOfSecond = Math.min(firstOfSecond, b[o + 2]);
        }
        assertTrue(firstOfSecond >= lastOfFirst,
                "%globaltimer in a later launch (" + firstOfSecond + ") is not before an earlier one (" + lastOfFirst + ")");
    }

    @Test
    void sharedMemorySizeRegisters() throws CudaException {
        long out = gpu.alloc(12);
        gpu.launch(gpu.kernel("special_registers", "smem_sizes"), KernelRunner.grid(1, 100, 512), out);
        int[] r = gpu.ints(out, 3);
        assertEquals(512, r[0], "%dynamic_smem_size is the launch's dynamic shared memory");
        assertTrue(r[1] >= 400 + 512, "%total_smem_size " + r[1] + " covers 400 static and 512 dynamic bytes");
        assertEquals(99, r[2], "dynamic shared memory holds what the block wrote");
    }
}
