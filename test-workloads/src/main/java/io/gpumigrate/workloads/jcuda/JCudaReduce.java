package io.gpumigrate.workloads.jcuda;

import static io.gpumigrate.workloads.jcuda.DriverSession.check;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import java.util.Arrays;
import java.util.SplittableRandom;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;

/**
 * A two-pass shared-memory sum through JCuda's driver API (kernels/reduce.ptx, dynamic
 * shared memory), checked bit for bit against {@link ReduceReference}, the CPU replay of
 * the kernel's order of adds, and for sanity against a double-precision sum.
 */
public final class JCudaReduce {
    private JCudaReduce() {
    }

    public static void main(String[] args) {
        Verdict.runAndExit("jcuda_reduce", args, JCudaReduce::run);
    }

    private static boolean run(String[] argv) {
        WorkloadArgs args = new WorkloadArgs("jcuda_reduce")
                .flag("n", 1 << 18, 1, Integer.MAX_VALUE - 8, "number of elements")
                .parse(argv);
        int n = (int) args.get("n");
        SplittableRandom random = new SplittableRandom(4242);
        float[] in = new float[n];
        double exact = 0.0;
        for (int i = 0; i < n; i++) {
            in[i] = (float) random.nextDouble();
            exact += in[i];
        }
        float[] wantPartials = ReduceReference.partials(in);
        float wantTotal = ReduceReference.total(wantPartials);
        int blocks = wantPartials.length;
        int block = ReduceReference.BLOCK;
        int shared = block * Sizeof.FLOAT;

        float[] partials = new float[blocks];
        float[] total = new float[1];
        try (DriverSession session = new DriverSession("jcuda_reduce", "reduce")) {
            CUfunction kernel = session.function("reduce_sum");
            CUdeviceptr dIn = new CUdeviceptr();
            CUdeviceptr dPartials = new CUdeviceptr();
            CUdeviceptr dTotal = new CUdeviceptr();
            check(cuMemAlloc(dIn, (long) n * Sizeof.FLOAT), "cuMemAlloc(in)");
            check(cuMemAlloc(dPartials, (long) blocks * Sizeof.FLOAT), "cuMemAlloc(partials)");
            check(cuMemAlloc(dTotal, Sizeof.FLOAT), "cuMemAlloc(total)");
            check(cuMemcpyHtoD(dIn, Pointer.to(in), (long) n * Sizeof.FLOAT), "cuMemcpyHtoD(in)");
            Pointer pass1 = Pointer.to(Pointer.to(dIn), Pointer.to(dPartials), Pointer.to(new int[] {n}));
            check(cuLaunchKernel(kernel, blocks, 1, 1, block, 1, 1, shared, null, pass1, null), "cuLaunchKernel(pass 1)");
            Pointer pass2 = Pointer.to(Pointer.to(dPartials), Pointer.to(dTotal), Pointer.to(new int[] {blocks}));
            check(cuLaunchKernel(kernel, 1, 1, 1, block, 1, 1, shared, null, pass2, null), "cuLaunchKernel(pass 2)");
            check(cuCtxSynchronize(), "cuCtxSynchronize");
            check(cuMemcpyDtoH(Pointer.to(partials), dPartials, (long) blocks * Sizeof.FLOAT), "cuMemcpyDtoH(partials)");
            check(cuMemcpyDtoH(Pointer.to(total), dTotal, Sizeof.FLOAT), "cuMemcpyDtoH(total)");
            check(cuMemFree(dIn), "cuMemFree(in)");
            check(cuMemFree(dPartials), "cuMemFree(partials)");
            check(cuMemFree(dTotal), "cuMemFree(total)");
        }
        for (int b = 0; b < blocks; b++) {
            if (Float.floatToRawIntBits(partials[b]) != Float.floatToRawIntBits(wantPartials[b])) {
                System.err.printf("jcuda_reduce: partial[%d] = %s, CPU replay %s%n", b, partials[b], wantPartials[b]);
                return false;
            }
        }
        if (Float.floatToRawIntBits(total[0]) != Float.floatToRawIntBits(wantTotal)) {
            System.err.printf("jcuda_reduce: total %s, CPU replay %s%n", total[0], wantTotal);
            return false;
        }
        // Inputs are non-negative: the error is at most (longest chain of adds) * 2^-24 relative.
        double perThread = Math.ceil((double) n / ((double) blocks * block));
        double bound = (perThread + 2 * Integer.numberOfTrailingZeros(block)) * Math.scalb(1.0, -24);
        double relative = Math.abs(total[0] - exact) / Math.max(exact, 1.0);
        if (relative > bound) {
            System.err.printf("jcuda_reduce: total %s is %.3g relative from the double sum %s (bound %.3g)%n", total[0],
                    relative, exact, bound);
            return false;
        }
        System.out.printf("jcuda_reduce: n=%d, %d blocks, total %s (double %s), partials %s, matches the CPU replay%n", n,
                blocks, total[0], exact, blocks <= 4 ? Arrays.toString(partials) : "all " + blocks + " equal");
        return true;
    }
}
