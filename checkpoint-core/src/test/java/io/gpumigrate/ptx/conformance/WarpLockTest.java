package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * warp_lock.cu: lanes of one warp contend for a spin lock. On sm_70 and later (independent
 * thread scheduling) the lane holding the lock makes progress while its warp-mates spin, so every
 * thread gets through its critical section exactly once.
 */
class WarpLockTest extends ConformanceTest {

    /**
     * The spin's bound. The two blocks contend for the lock too, and the emulator runs them on two
     * host threads: the holder's thread can be descheduled or compiling while the other block spins
     * (20000 tries, a few milliseconds, were not always enough on a loaded 2-core machine). A model
     * without independent thread scheduling never lets the holder finish, whatever the bound.
     */
    private static final int MAX_TRIES = 2_000_000;

    @Test
    void spinLockWithinAWarpMakesProgress() throws CudaException {
        int blocks = 2, threads = 64, all = blocks * threads;
        long lock = gpu.alloc(4), counter = gpu.alloc(4), order = gpu.alloc(4L * all), stuck = gpu.alloc(4);
        gpu.launch(gpu.kernel("warp_lock", "warp_lock"), KernelRunner.grid(blocks, threads), lock, counter, order, stuck, MAX_TRIES);
        assertEquals(0, gpu.ints(stuck, 1)[0], "threads that never got the lock within " + MAX_TRIES + " tries");
        assertEquals(all, gpu.ints(counter, 1)[0], "critical sections run");
        assertEquals(0, gpu.ints(lock, 1)[0], "lock released");
        int[] seen = gpu.ints(order, all);
        Arrays.sort(seen);
        int[] expected = new int[all];
        Arrays.setAll(expected, i -> i / blocks);
        assertArrayEquals(expected, seen, "each thread of each block entered once");
    }
}
