package io.gpumigrate.workloads.jcuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuGetErrorName;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;

/**
 * Device 0 with its primary context current and one PTX module loaded with
 * {@code cuModuleLoadData}. The PTX is read from {@code $GPUMIGRATE_KERNELS/NAME.ptx}, else
 * from the directory in the system property {@code gpumigrate.kernels}, else from
 * {@code kernels/} in the working directory. Closing unloads the module and releases the
 * context. Use from one thread.
 */
final class DriverSession implements AutoCloseable {
    private final CUdevice device = new CUdevice();
    private final CUmodule module = new CUmodule();

    DriverSession(String workload, String kernelName) {
        check(cuInit(0), "cuInit");
        check(cuDeviceGet(device, 0), "cuDeviceGet");
        byte[] name = new byte[256];
        check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        CUcontext context = new CUcontext();
        check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        System.out.println(workload + ": device 0: " + cString(name));
        check(cuModuleLoadData(module, ptxImage(kernelName)), "cuModuleLoadData(" + kernelName + ".ptx)");
    }

    CUfunction function(String name) {
        CUfunction function = new CUfunction();
        check(cuModuleGetFunction(function, module, name), "cuModuleGetFunction(" + name + ")");
        return function;
    }

    @Override
    public void close() {
        check(cuModuleUnload(module), "cuModuleUnload");
        // JCuda rejects a Java null; an empty CUcontext is the driver's NULL context.
        check(cuCtxSetCurrent(new CUcontext()), "cuCtxSetCurrent(NULL)");
        check(cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease");
    }

    /** Throws a {@link WorkloadFailure} naming the call and the CUDA error when {@code result} is not success. */
    static void check(int result, String call) {
        if (result == CUresult.CUDA_SUCCESS) {
            return;
        }
        String[] name = new String[1];
        String errorName = cuGetErrorName(result, name) == CUresult.CUDA_SUCCESS && name[0] != null
                ? name[0] : CUresult.stringFor(result);
        throw new WorkloadFailure(call + " failed: " + errorName + " (" + result + ")");
    }

    static Path kernelsDirectory() {
        String env = System.getenv("GPUMIGRATE_KERNELS");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("gpumigrate.kernels", "kernels"));
    }

    /** The PTX text with the terminating NUL that cuModuleLoadData expects of a PTX image. */
    private static byte[] ptxImage(String kernelName) {
        Path path = kernelsDirectory().resolve(kernelName + ".ptx");
        try {
            byte[] text = Files.readAllBytes(path);
            return Arrays.copyOf(text, text.length + 1);
        } catch (IOException e) {
            throw new WorkloadFailure("cannot read " + path + ": " + e.getMessage()
                    + " (set GPUMIGRATE_KERNELS to the kernels directory)");
        }
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }
}
