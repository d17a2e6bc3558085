package io.gpumigrate.device.emulator;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.LaunchConfig;
import io.gpumigrate.ptx.GridLauncher;
import io.gpumigrate.ptx.KernelFault;
import io.gpumigrate.ptx.LaunchShape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Validates a launch against the device limits and runs it on the backend's workers.
 * Launches run synchronously: when {@link #launch} returns the kernel has finished.
 * Session-thread confined; owns a pool of worker threads until {@link #close()}.
 */
final class KernelLauncher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KernelLauncher.class);

    private final DeviceAddressSpace memory;
    private final int workers;
    private ExecutorService pool;
    private GridLauncher.Stats lastStats = new GridLauncher.Stats(0, 0);

    KernelLauncher(DeviceAddressSpace memory, int workers) {
        this.memory = memory;
        this.workers = workers;
    }

    GridLauncher.Stats lastStats() {
        return lastStats;
    }

    void launch(EmulatedFunction f, LaunchConfig c, MemorySegment params) throws CudaException {
        check(c.blockX() >= 1 && c.blockY() >= 1 && c.blockZ() >= 1 && c.gridX() >= 1 && c.gridY() >= 1
                && c.gridZ() >= 1, "grid and block dimensions must be positive: " + c);
        check(c.blockX() <= 1024 && c.blockY() <= 1024 && c.blockZ() <= 64 && c.gridY() <= 65535 && c.gridZ() <= 65535,
                "dimensions exceed the device limits (block <= 1024x1024x64, grid y,z <= 65535): " + c);
        long threads = c.threadsPerBlock();
        int limit = f.kernel.maxThreads() > 0 ? Math.min(1024, f.kernel.maxThreads()) : 1024;
        check(threads <= limit, "block of " + threads + " threads exceeds the kernel's limit of " + limit);
        check(c.sharedMemBytes() >= 0 && c.sharedMemBytes() <= f.maxDynamicShared, "dynamic shared memory of "
                + c.sharedMemBytes() + " bytes outside 0.." + f.maxDynamicShared
                + " (raise CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES for more)");
        int needed = f.kernel.params().bufferSize();
        long given = params == null ? 0 : params.byteSize();
        check(given >= needed, "kernel " + f.name() + " takes " + needed + " bytes of parameters, got " + given);
        byte[] buffer = new byte[needed];
        if (needed > 0) {
            MemorySegment.copy(params, ValueLayout.JAVA_BYTE, 0, buffer, 0, needed);
        }
        LaunchShape shape = new LaunchShape(c.gridX(), c.gridY(), c.gridZ(), c.blockX(), c.blockY(), c.blockZ(),
                c.sharedMemBytes());
        try {
            lastStats = GridLauncher.run(f.kernel, shape, buffer, memory, pool(), workers);
        } catch (KernelFault e) {
            LOG.warn("kernel fault: {}", e.getMessage());
            throw new CudaException(e.result(), e.getMessage());
        }
    }

    private ExecutorService pool() {
        if (pool == null && workers > 1) {
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(workers - 1, r -> {
                Thread t = new Thread(r, "ptx-worker-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    private static void check(boolean ok, String message) throws CudaException {
        if (!ok) {
            throw new CudaException(CuResult.INVALID_VALUE, message);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
    }
}
