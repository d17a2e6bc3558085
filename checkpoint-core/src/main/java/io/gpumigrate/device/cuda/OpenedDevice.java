package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceProperties;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What a {@link CudaBackend} holds on its device, taken in order when it opens and given back
 * in the reverse order when it closes: the device's primary context, the session's address
 * window ({@link DeviceMemory}), the staging buffers, then the module, stream and launch tables.
 * An open that fails part-way gives back what it had taken before it throws.
 *
 * <p>Not thread-safe: the backend's, one session thread at a time.
 */
final class OpenedDevice {

    private static final int STAGING_BUFFERS = 4;
    private static final long STAGING_BYTES = 8L << 20;

    final CudaDriver driver;
    final int ordinal;
    /** The {@code CUdevice}. */
    final int device;
    final ContextBinding context;
    final Arena arena = Arena.ofShared();
    final DeviceProperties properties;
    final DeviceMemory memory;
    final HostCopies copies;
    final CudaModules modules;
    final CudaStreams streams;
    final CheckedCopies checked;
    final KernelLauncher launcher;
    /** Two longs for the driver's out-parameters. */
    final MemorySegment out;
    final DigestScratch digestScratch;
    private boolean closed;

    /**
     * Opens device {@code ordinal} and reserves the session's address window there; see
     * {@link CudaBackend#open(int, long, long)} for the parameters and the failures.
     */
    OpenedDevice(CudaDriver driver, int ordinal, long windowBase, long windowSize) throws CudaException {
        this.driver = driver;
        this.ordinal = ordinal;
        int count = DriverLibrary.deviceCount(driver);
        if (ordinal < 0 || ordinal >= count) {
            arena.close();
            throw new CudaException(CuResult.INVALID_DEVICE, "device ordinal " + ordinal + " is outside 0.." + (count - 1));
        }
        this.out = arena.allocate(JAVA_LONG, 2);
        try {
            driver.check(driver.deviceGet(out, ordinal), "cuDeviceGet(" + ordinal + ")");
            this.device = out.get(JAVA_INT, 0);
            driver.check(driver.primaryCtxRetain(out, device), "cuDevicePrimaryCtxRetain(" + ordinal + ")");
        } catch (CudaException e) {
            arena.close();
            throw e;
        }
        this.context = new ContextBinding(driver, out.get(JAVA_LONG, 0));
        DeviceMemory mem = null;
        HostCopies host = null;
        try {
            context.makeCurrent();
            this.properties = CudaProperties.read(driver, device);
            if (properties.attribute(CudaProperties.ATTRIBUTE_VMM_SUPPORTED) == 0) {
                throw new CudaException(CuResult.NOT_SUPPORTED, properties.name() + " (device " + ordinal
                        + ") does not support virtual memory management, which placing allocations needs");
            }
            long size = windowSize > 0 ? windowSize : CudaBackend.defaultWindowSize(properties.totalMemory());
            mem = new DeviceMemory(driver, ordinal, windowBase, size, arena);
            host = new HostCopies(driver, STAGING_BUFFERS, STAGING_BYTES, arena);
            int sm = properties.attribute(CudaProperties.ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) * 10
                    + properties.attribute(CudaProperties.ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            this.modules = new CudaModules(driver,
                    new ModuleGlobalsRegion(driver, ordinal, mem.windowBase() + mem.windowSize(), arena), sm, arena);
            this.streams = new CudaStreams(driver, arena);
            this.digestScratch = new DigestScratch(driver);
            this.checked = new CheckedCopies(driver, mem, modules, host, digestScratch);
            this.launcher = new KernelLauncher(driver, arena);
        } catch (CudaException | RuntimeException | Error e) {
            // an Error too (a class that fails to load, say): the window must not outlive a device never opened
            if (host != null) {
                host.close();
            }
            if (mem != null) {
                mem.close();
            }
            context.release();
            driver.primaryCtxRelease(device);
            arena.close();
            throw e;
        }
        this.memory = mem;
        this.copies = host;
    }

    /** Whether {@link #close} has run. */
    boolean closed() {
        return closed;
    }

    /**
     * Waits for the device (errors ignored), then frees modules, events, streams, staging
     * buffers, every allocation and the window reservation, and releases the primary context.
     * Idempotent.
     */
    void close() {
        if (closed) {
            return;
        }
        try {
            context.makeCurrent();
        } catch (CudaException e) {
            // Still release what we can: the calls below fail harmlessly without a context.
        }
        driver.ctxSynchronize();
        try {
            digestScratch.release();
        } catch (CudaException e) {
            // the context's release below frees it all the same
        }
        modules.close();
        streams.close();
        copies.close();
        memory.close();
        context.release();
        driver.primaryCtxRelease(device);
        closed = true;
        arena.close();
    }
}
