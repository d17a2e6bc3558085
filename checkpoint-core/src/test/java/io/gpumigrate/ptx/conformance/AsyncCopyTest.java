package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceModule;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * async_copy.cu: cp.async global-to-shared copies (sm_80+). A backend either runs them with the
 * right results or refuses the module at load, naming the instruction; it never loads the module
 * and computes something else.
 */
class AsyncCopyTest extends ConformanceTest {

    @Test
    void asyncCopiesRunCorrectlyOrAreRefusedByName() throws CudaException {
        Optional<DeviceModule> loaded = loadOrRefuseNaming("async_copy", "cp.async");
        if (loaded.isEmpty()) {
            return;
        }
        DeviceModule module = loaded.get();
        int blocks = 2, threads = 128;
        Random random = new Random(81);
        int[] in = TestInputs.ints(random, blocks * threads), in4 = TestInputs.ints(random, 4 * blocks * threads);
        long out = gpu.alloc(4L * in.length), out4 = gpu.alloc(4L * in4.length);
        gpu.launch(gpu.kernel(module, "async_copy"), KernelRunner.grid(blocks, threads), gpu.upload(in), gpu.upload(in4), out, out4);
        int[] expected = new int[in.length], expected4 = new int[in4.length];
        for (int g = 0; g < in.length; g++) {
            int b = g / threads, t = g % threads, src = b * threads + threads - 1 - t;
            expected[g] = in[src];
            System.arraycopy(in4, 4 * src, expected4, 4 * g, 4);
        }
        assertArrayEquals(expected, gpu.ints(out, in.length), "4-byte cp.async.ca copies");
        assertArrayEquals(expected4, gpu.ints(out4, in4.length), "16-byte cp.async.cg copies");
    }
}
