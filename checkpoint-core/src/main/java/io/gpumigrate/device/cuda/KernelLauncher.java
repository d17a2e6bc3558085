package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.LaunchConfig;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Launches kernels with a packed parameter buffer, through {@code cuLaunchKernel}'s
 * {@code extra} array:
 *
 * <pre>
 *   extra = { CU_LAUNCH_PARAM_BUFFER_POINTER (1), params,
 *             CU_LAUNCH_PARAM_BUFFER_SIZE    (2), &amp;size,
 *             CU_LAUNCH_PARAM_END            (0) }
 * </pre>
 *
 * The array, the parameter buffer and the size word are allocated once and reused by every
 * launch (the driver has copied the parameters when {@code cuLaunchKernel} returns), so the
 * hot path allocates nothing. The size passed is the end of the last parameter, without tail
 * padding: the driver rejects a larger one.
 *
 * <p>Not thread-safe: one launch at a time, on the session's thread.
 */
final class KernelLauncher {

    /** CUDA's limit on a kernel's parameter space (Volta and newer, CUDA 12.1+). */
    static final int MAX_PARAM_BYTES = 32764;
    private static final long BUFFER_POINTER = 1;
    private static final long BUFFER_SIZE = 2;
    private static final long END = 0;

    private final CudaDriver driver;
    private final MemorySegment params;
    private final MemorySegment size;
    private final MemorySegment extra;

    KernelLauncher(CudaDriver driver, Arena arena) {
        this.driver = driver;
        this.params = arena.allocate(MAX_PARAM_BYTES + 4L, 16);
        this.size = arena.allocate(JAVA_LONG);
        this.extra = arena.allocateFrom(JAVA_LONG, BUFFER_POINTER, params.address(), BUFFER_SIZE, size.address(), END);
    }

    /**
     * @param buffer at least {@code f.params().bufferSize()} bytes, laid out as the layout says
     * @throws CudaException {@code CUDA_ERROR_INVALID_VALUE} for a short buffer; the driver's
     *                       error for a bad configuration
     */
    void launch(CudaFunction f, LaunchConfig config, MemorySegment buffer, long stream) throws CudaException {
        int needed = f.params().bufferSize();
        if (buffer.byteSize() < needed || needed > MAX_PARAM_BYTES) {
            throw new CudaException(CuResult.INVALID_VALUE, "kernel " + f.name() + " takes " + needed
                    + " bytes of parameters (at most " + MAX_PARAM_BYTES + "), got " + buffer.byteSize());
        }
        MemorySegment extraOrNull = MemorySegment.NULL;
        if (needed > 0) {
            MemorySegment.copy(buffer, 0, params, 0, needed);
            size.set(JAVA_LONG, 0, needed);
            extraOrNull = extra;
        }
        int rc = driver.launchKernel(f.handle, config.gridX(), config.gridY(), config.gridZ(),
                config.blockX(), config.blockY(), config.blockZ(), config.sharedMemBytes(), stream,
                MemorySegment.NULL, extraOrNull);
        if (rc != CuResult.SUCCESS) {
            throw driver.error(rc, "cuLaunchKernel(" + f.name() + ", " + config + ")");
        }
    }
}
