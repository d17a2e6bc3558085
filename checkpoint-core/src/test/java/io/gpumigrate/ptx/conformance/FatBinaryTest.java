package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceModule;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Modules given as nvcc fat binaries (sm_90 machine code plus compute_90 PTX), as programs
 * embed them: the backend finds the PTX inside, compressed as nvcc writes it by default or not.
 */
class FatBinaryTest extends ConformanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"block_algorithms.fatbin", "block_algorithms.uncompressed.fatbin"})
    void kernelsOfAFatBinaryRun(String file) throws CudaException {
        DeviceModule module = backend.loadModule(KernelRunner.resource(file));
        int blocks = 2, threads = 64;
        int[] in = TestInputs.ints(new Random(61), blocks * threads);
        long out = gpu.alloc(4L * in.length), sum = gpu.alloc(8);
        long input = gpu.upload(in);
        gpu.launch(gpu.kernel(module, "scan_block"), KernelRunner.grid(blocks, threads, 2 * threads * 4), input, out);
        gpu.launch(gpu.kernel(module, "reduce_shfl"), KernelRunner.grid(blocks, threads), input, sum, in.length);
        int[] expected = new int[in.length];
        long total = 0;
        for (int i = 0; i < in.length; i++) {
            expected[i] = in[i] + (i % threads == 0 ? 0 : expected[i - 1]);
            total += in[i];
        }
        assertArrayEquals(expected, gpu.ints(out, in.length), "scan_block from " + file);
        assertEquals(total, gpu.longs(sum, 1)[0], "reduce_shfl from " + file);
    }
}
