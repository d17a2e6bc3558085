package io.gpumigrate.ptx.conformance;

import static io.gpumigrate.ptx.conformance.FloatChecks.assertSameFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** llvm_kernels.ll: PTX in the style of LLVM's NVPTX back end (clang's code generator), against CPU references. */
class LlvmKernelsTest extends ConformanceTest {

    @Test
    void mixedWidthArithmetic() throws CudaException {
        int n = 200;
        Random random = new Random(101);
        float[] x = TestInputs.uniform(random, n, -100, 100);
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        long out = gpu.alloc(4L * n);
        gpu.launch(gpu.kernel("llvm_kernels", "mixed_widths"), KernelRunner.grid(4, 64),
                gpu.upload(x), gpu.upload(bytes), out, 0.75f, n);
        float[] r = gpu.floats(out, n);
        for (int i = 0; i < n; i++) {
            float expected = Math.fma(0.75f, x[i], (float) bytes[i]) + (float) (short) (bytes[i] * 300);
            assertSameFloat(expected, r[i], "element " + i + " of x=" + x[i] + " byte=" + bytes[i]);
        }
    }

    @Test
    void sharedTreeSumWithAtomicTotal() throws CudaException {
        int blocks = 5, threads = 128;
        int[] in = TestInputs.ints(new Random(102), blocks * threads);
        long total = gpu.alloc(4);
        gpu.launch(gpu.kernel("llvm_kernels", "block_sum"), KernelRunner.grid(blocks, threads), gpu.upload(in), total);
        int expected = 0;
        for (int v : in) {
            expected += v;
        }
        assertEquals(expected, gpu.ints(total, 1)[0], "sum of " + in.length + " ints");
    }
}
