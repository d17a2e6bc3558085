package io.gpumigrate.workloads.jcuda;

import static io.gpumigrate.workloads.jcuda.DriverSession.check;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;

import java.util.SplittableRandom;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;

/**
 * Vector add through JCuda's driver API: c = a + b with kernels/vector_add.ptx, checked bit
 * for bit against Java's float add (one IEEE round-to-nearest add, as the kernel does).
 * c is first filled with a NaN pattern so that a launch that never ran cannot pass.
 */
public final class JCudaVectorAdd {
    private static final int BLOCK = 256;
    private static final int NAN_BITS = 0x7fc00bad;

    private JCudaVectorAdd() {
    }

    public static void main(String[] args) {
        Verdict.runAndExit("jcuda_vector_add", args, JCudaVectorAdd::run);
    }

    private static boolean run(String[] argv) {
        WorkloadArgs args = new WorkloadArgs("jcuda_vector_add")
                .flag("n", 1 << 16, 1, 1 << 28, "number of elements")
                .parse(argv);
        int n = (int) args.get("n");
        SplittableRandom random = new SplittableRandom(12345);
        float[] a = new float[n];
        float[] b = new float[n];
        float[] c = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextDouble(100.0);
            b[i] = (float) random.nextDouble(-0.5, 0.5);
        }
        long bytes = (long) n * Sizeof.FLOAT;
        try (DriverSession session = new DriverSession("jcuda_vector_add", "vector_add")) {
            CUfunction kernel = session.function("vector_add");
            CUdeviceptr dA = new CUdeviceptr();
            CUdeviceptr dB = new CUdeviceptr();
            CUdeviceptr dC = new CUdeviceptr();
            check(cuMemAlloc(dA, bytes), "cuMemAlloc(a)");
            check(cuMemAlloc(dB, bytes), "cuMemAlloc(b)");
            check(cuMemAlloc(dC, bytes), "cuMemAlloc(c)");
            check(cuMemcpyHtoD(dA, Pointer.to(a), bytes), "cuMemcpyHtoD(a)");
            check(cuMemcpyHtoD(dB, Pointer.to(b), bytes), "cuMemcpyHtoD(b)");
            check(cuMemsetD32(dC, NAN_BITS, n), "cuMemsetD32(c)");
            Pointer params = Pointer.to(Pointer.to(dA), Pointer.to(dB), Pointer.to(dC), Pointer.to(new int[] {n}));
            check(cuLaunchKernel(kernel, (n + BLOCK - 1) / BLOCK, 1, 1, BLOCK, 1, 1, 0, null, params, null),
                    "cuLaunchKernel(vector_add)");
            check(cuCtxSynchronize(), "cuCtxSynchronize");
            check(cuMemcpyDtoH(Pointer.to(c), dC, bytes), "cuMemcpyDtoH(c)");
            check(cuMemFree(dA), "cuMemFree(a)");
            check(cuMemFree(dB), "cuMemFree(b)");
            check(cuMemFree(dC), "cuMemFree(c)");
        }
        for (int i = 0; i < n; i++) {
            float want = a[i] + b[i];
            if (Float.floatToRawIntBits(c[i]) != Float.floatToRawIntBits(want)) {
                System.err.printf("jcuda_vector_add: c[%d] = %s, CPU reference %s%n", i, c[i], want);
                return false;
            }
        }
        System.out.printf("jcuda_vector_add: n=%d, all elements match the CPU bit for bit%n", n);
        return true;
    }
}
