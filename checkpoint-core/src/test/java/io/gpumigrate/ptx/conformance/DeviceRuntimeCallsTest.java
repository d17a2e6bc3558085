package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceFunction;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * device_assert.cu, trap.cu, device_printf.cu: calls the driver provides (__assertfail, vprintf)
 * and __trap(). A kernel containing an assert runs normally while it holds, a kernel that prints
 * runs and computes as usual; a failing assert or a trap ends the launch with an error.
 */
class DeviceRuntimeCallsTest extends ConformanceTest {

    /** {@code CUDA_ERROR_ASSERT}: a device-side assert failed. */
    private static final int CUDA_ERROR_ASSERT = 710;

    @Test
    void kernelWithAnAssertThatHoldsRuns() throws CudaException {
        int[] data = {1, 5, 9, -3, 0, 7};
        long p = gpu.upload(data);
        gpu.launch(gpu.kernel("device_assert", "checked_scale"), KernelRunner.grid(1, 32), p, data.length, 10);
        assertArrayEquals(new int[] {2, 10, 18, -6, 0, 14}, gpu.ints(p, data.length));
    }

    @Test
    void failingAssertStopsTheLaunch() throws CudaException {
        long p = gpu.upload(new int[] {1, 5, 99, 3});
        DeviceFunction kernel = gpu.kernel("device_assert", "checked_scale");
        CudaException e = assertThrows(CudaException.class, () -> gpu.launch(kernel, KernelRunner.grid(1, 32), p, 4, 10));
        assertEquals(CUDA_ERROR_ASSERT, e.result(), e.getMessage());
    }

    @Test
    void trapStopsTheLaunch() throws CudaException {
        long data = gpu.upload(new int[] {4, 8, 15, 16, 23, 42, 0, 1});
        long out = gpu.alloc(4 * 8);
        DeviceFunction kernel = gpu.kernel("trap", "trap_if");
        CudaException e = assertThrows(CudaException.class, () -> gpu.launch(kernel, KernelRunner.grid(1, 8), data, out, 23));
        assertTrue(e.result() == CuResult.LAUNCH_FAILED || e.result() == CuResult.ILLEGAL_INSTRUCTION,
                "LAUNCH_FAILED or ILLEGAL_INSTRUCTION, was " + e.getMessage());
        assertTrue(e.sticky(), "sticky: " + e.getMessage());
    }

    @Test
    void kernelThatPrintsRuns() throws CudaException {
        int n = 100;
        int[] in = TestInputs.ints(new Random(111), n);
        long out = gpu.alloc(4L * n);
        gpu.launch(gpu.kernel("device_printf", "printing_kernel"), KernelRunner.grid(2, 64), gpu.upload(in), out, n);
        int[] r = gpu.ints(out, n);
        for (int i = 0; i < n; i++) {
            assertEquals(in[i] * 3 + 1, r[i], "element " + i);
        }
    }
}
