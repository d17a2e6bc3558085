package io.gpumigrate.device.cuda;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceEvent;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.DeviceProperties;
import io.gpumigrate.device.DeviceStream;
import io.gpumigrate.device.LaunchConfig;
import io.gpumigrate.device.MemInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The {@link DeviceBackend} for a real GPU: NVIDIA's {@code libcuda.so.1} called through FFM,
 * on the device's primary context, with every allocation placed in the session's address
 * window (see {@link DeviceMemory}) so that a restore can map the same addresses elsewhere.
 *
 * <p>Not thread-safe, as the SPI says: one session thread at a time. Every public method makes
 * the context current on the calling thread first (one thread-local read when it already is),
 * so the session may move between threads as long as calls do not overlap.
 */
public final class CudaBackend implements DeviceBackend {

    /** The default base of the session address window, granted by the driver in practice (DESIGN.md). */
    public static final long DEFAULT_WINDOW_BASE = 0x2000_0000_0000L;
    /** The smallest default window; the default is twice the device memory, rounded up to 1 GiB. */
    public static final long MIN_DEFAULT_WINDOW = 64L << 30;
    /** CUDA's limit on a kernel's parameter space (Volta and newer, CUDA 12.1+). */
    public static final int MAX_PARAM_BYTES = 32764;
    private static final int STAGING_BUFFERS = 4;
    private static final long STAGING_BYTES = 8L << 20;
    /** {@code CU_LAUNCH_PARAM_BUFFER_POINTER}, {@code _SIZE} and {@code _END}, as pointer values. */
    private static final long LAUNCH_BUFFER_POINTER = 1;
    private static final long LAUNCH_BUFFER_SIZE = 2;
    private static final long LAUNCH_END = 0;
    /** Which backend's context each thread has current; a token per backend, never reused. */
    private static final ThreadLocal<Object> CURRENT = new ThreadLocal<>();

    private final CudaDriver driver;
    private final int ordinal;
    private final int device;
    private final long context;
    private final Object token = new Object();
    private final Arena arena = Arena.ofShared();
    private final DeviceProperties properties;
    private final DeviceMemory memory;
    private final HostCopies copies;
    private final CudaModules modules;
    private final CudaStreams streams;
    private final MemorySegment launchParams;
    private final MemorySegment launchSize;
    private final MemorySegment launchExtra;
    private final MemorySegment out;
    private boolean closed;

    /** Whether a CUDA driver with at least one device can be used here. Never throws. */
    public static boolean available() {
        try {
            DriverLibrary.shared();
            return true;
        } catch (CudaException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Why {@link #available()} is false, or null when it is true. */
    public static String unavailableReason() {
        try {
            DriverLibrary.shared();
            return null;
        } catch (CudaException e) {
            return DriverLibrary.reason(e);
        } catch (RuntimeException | LinkageError e) {
            return e.toString();
        }
    }

    /** Device {@code ordinal} with the default window: {@link #DEFAULT_WINDOW_BASE}, twice the device memory. */
    public static CudaBackend open(int ordinal) throws CudaException {
        return open(ordinal, DEFAULT_WINDOW_BASE, 0);
    }

    /**
     * Opens device {@code ordinal} and reserves the session's address window.
     *
     * @param windowBase the window's first address, a multiple of the allocation granularity (2 MiB on current GPUs)
     * @param windowSize bytes, rounded up to the granularity; 0 for the default
     * @throws CudaException {@code CUDA_ERROR_NO_DEVICE} without a usable driver,
     *                       {@code CUDA_ERROR_INVALID_DEVICE} for an ordinal out of range,
     *                       {@code CUDA_ERROR_NOT_SUPPORTED} for a device without VMM,
     *                       {@code CUDA_ERROR_OUT_OF_MEMORY} when the window cannot be reserved there
     */
    public static CudaBackend open(int ordinal, long windowBase, long windowSize) throws CudaException {
        return open(DriverLibrary.shared(), ordinal, windowBase, windowSize);
    }

    /** As {@link #open(int, long, long)}, on a driver loaded by the caller (tests load stand-ins). */
    static CudaBackend open(CudaDriver driver, int ordinal, long windowBase, long windowSize) throws CudaException {
        return new CudaBackend(driver, ordinal, windowBase, windowSize);
    }

    private CudaBackend(CudaDriver driver, int ordinal, long windowBase, long windowSize) throws CudaException {
        this.driver = driver;
        this.ordinal = ordinal;
        int count = DriverLibrary.deviceCount(driver);
        if (ordinal < 0 || ordinal >= count) {
            arena.close();
            throw new CudaException(CuResult.INVALID_DEVICE, "device ordinal " + ordinal + " is outside 0.." + (count - 1));
        }
        this.out = arena.allocate(JAVA_LONG, 2);
        driver.check(driver.deviceGet(out, ordinal), "cuDeviceGet(" + ordinal + ")");
        this.device = out.get(JAVA_INT, 0);
        driver.check(driver.primaryCtxRetain(out, device), "cuDevicePrimaryCtxRetain(" + ordinal + ")");
        this.context = out.get(JAVA_LONG, 0);
        DeviceMemory mem = null;
        HostCopies host = null;
        try {
            makeCurrent();
            this.properties = CudaProperties.read(driver, device);
            if (properties.attribute(CudaProperties.ATTRIBUTE_VMM_SUPPORTED) == 0) {
                throw new CudaException(CuResult.NOT_SUPPORTED, properties.name() + " (device " + ordinal
                        + ") does not support virtual memory management, which placing allocations needs");
            }
            long size = windowSize > 0 ? windowSize : defaultWindowSize(properties.totalMemory());
            mem = new DeviceMemory(driver, ordinal, windowBase, size, arena);
            host = new HostCopies(driver, STAGING_BUFFERS, STAGING_BYTES, arena);
        } catch (CudaException | RuntimeException e) {
            if (mem != null) {
                mem.close();
            }
            driver.primaryCtxRelease(device);
            forgetCurrent();
            arena.close();
            throw e;
        }
        this.memory = mem;
        this.copies = host;
        this.modules = new CudaModules(driver, arena);
        this.streams = new CudaStreams(driver, arena);
        this.launchParams = arena.allocate(MAX_PARAM_BYTES + 4L, 16);
        this.launchSize = arena.allocate(JAVA_LONG);
        this.launchExtra = arena.allocateFrom(JAVA_LONG,
                LAUNCH_BUFFER_POINTER, launchParams.address(), LAUNCH_BUFFER_SIZE, launchSize.address(), LAUNCH_END);
    }

    /** Twice the device memory rounded up to 1 GiB, at least {@link #MIN_DEFAULT_WINDOW}. */
    static long defaultWindowSize(long totalMemory) {
        long gib = 1L << 30;
        return Math.max(MIN_DEFAULT_WINDOW, (2 * totalMemory + gib - 1) / gib * gib);
    }

    // ---- context ---------------------------------------------------------------------------

    private void ensureCurrent() throws CudaException {
        if (closed) {
            throw new CudaException(CuResult.INVALID_CONTEXT, "the CUDA backend for device " + ordinal + " is closed");
        }
        if (CURRENT.get() != token) {
            makeCurrent();
        }
    }

    private void makeCurrent() throws CudaException {
        driver.check(driver.ctxSetCurrent(context), "cuCtxSetCurrent");
        CURRENT.set(token);
    }

    private void forgetCurrent() {
        if (CURRENT.get() == token) {
            driver.ctxSetCurrent(0);
            CURRENT.remove();
        }
    }

    // ---- session state ---------------------------------------------------------------------

    /** The device ordinal this backend runs on. */
    public int ordinal() {
        return ordinal;
    }

    /** First address of the session's address window. Session state: a restore reserves the same. */
    public long windowBase() {
        return memory.windowBase();
    }

    /** Bytes of the session's address window. */
    public long windowSize() {
        return memory.windowSize();
    }

    /** The allocation granularity: every allocation's mapped size is a multiple of it. */
    public long granularity() {
        return memory.granularity();
    }

    @Override
    public DeviceProperties properties() {
        return properties;
    }

    // ---- memory ----------------------------------------------------------------------------

    @Override
    public long memAlloc(long bytes) throws CudaException {
        ensureCurrent();
        return memory.alloc(bytes);
    }

    /**
     * Allocates {@code bytes} at exactly {@code address} (granularity-aligned, inside the
     * window, not overlapping a live allocation): how a restore recreates a session's memory.
     */
    public long memAllocAt(long address, long bytes) throws CudaException {
        ensureCurrent();
        return memory.allocAt(address, bytes);
    }

    /** Waits for the device first, as {@code cuMemFree} does, so no queued work still uses the memory. */
    @Override
    public void memFree(long dptr) throws CudaException {
        ensureCurrent();
        DeviceMemory.Allocation allocation = memory.find(dptr);
        if (allocation == null || allocation.base() != dptr) {
            throw new CudaException(CuResult.INVALID_VALUE, String.format("0x%x is not the base of an allocation", dptr));
        }
        driver.check(driver.ctxSynchronize(), "cuCtxSynchronize (before freeing)");
        memory.free(dptr);
    }

    @Override
    public MemInfo memInfo() throws CudaException {
        ensureCurrent();
        driver.check(driver.memGetInfo(out, out.asSlice(8)), "cuMemGetInfo");
        return new MemInfo(out.get(JAVA_LONG, 0), out.get(JAVA_LONG, 8));
    }

    /** From the backend's own tables: allocations (their requested size) and module globals looked up. */
    @Override
    public AddressRange addressRange(long dptr) throws CudaException {
        ensureCurrent();
        AddressRange range = memory.range(dptr);
        if (range == null) {
            range = modules.globalContaining(dptr);
        }
        if (range == null) {
            throw new CudaException(CuResult.NOT_FOUND, String.format("0x%x is in no allocation or module global", dptr));
        }
        return range;
    }

    /** Page-locks host memory so that copies from and into it skip staging; see {@link HostCopies#register}. */
    public void registerHost(MemorySegment host) throws CudaException {
        ensureCurrent();
        copies.register(host);
    }

    public void unregisterHost(MemorySegment host) throws CudaException {
        ensureCurrent();
        copies.unregister(host);
    }

    // ---- copies ----------------------------------------------------------------------------

    @Override
    public void copyHtoD(long dst, MemorySegment src, DeviceStream stream) throws CudaException {
        ensureCurrent();
        long s = streams.handle(stream);
        checkDevice(dst, src.byteSize(), "copyHtoD destination");
        copies.toDevice(dst, src, s);
    }

    @Override
    public void copyDtoH(MemorySegment dst, long src, DeviceStream stream) throws CudaException {
        ensureCurrent();
        long s = streams.handle(stream);
        checkDevice(src, dst.byteSize(), "copyDtoH source");
        if (dst.isReadOnly()) {
            throw new CudaException(CuResult.INVALID_VALUE, "copyDtoH destination is read-only");
        }
        copies.toHost(dst, src, s);
    }

    @Override
    public void copyDtoD(long dst, long src, long bytes, DeviceStream stream) throws CudaException {
        ensureCurrent();
        long s = streams.handle(stream);
        checkDevice(dst, bytes, "copyDtoD destination");
        checkDevice(src, bytes, "copyDtoD source");
        if (bytes > 0) {
            driver.check(driver.memcpyDtoDAsync(dst, src, bytes, s), "cuMemcpyDtoDAsync");
        }
    }

    @Override
    public void memset(long dst, int value, int elementSize, long count, DeviceStream stream) throws CudaException {
        ensureCurrent();
        long s = streams.handle(stream);
        if (elementSize != 1 && elementSize != 2 && elementSize != 4) {
            throw new CudaException(CuResult.INVALID_VALUE, "memset element size " + elementSize + " is not 1, 2 or 4");
        }
        if (count < 0 || count > Long.MAX_VALUE / elementSize) {
            throw new CudaException(CuResult.INVALID_VALUE, "memset count " + count + " is out of range");
        }
        checkDevice(dst, count * elementSize, "memset destination");
        if (count == 0) {
            return;
        }
        int rc = switch (elementSize) {
            case 1 -> driver.memsetD8Async(dst, (byte) value, count, s);
            case 2 -> driver.memsetD16Async(dst, (short) value, count, s);
            default -> driver.memsetD32Async(dst, value, count, s);
        };
        driver.check(rc, "cuMemsetD" + elementSize * 8 + "Async");
    }

    /** {@code [address, address + bytes)} must lie inside one allocation or one module global. */
    private void checkDevice(long address, long bytes, String what) throws CudaException {
        if (bytes < 0) {
            throw new CudaException(CuResult.INVALID_VALUE, what + ": negative size " + bytes);
        }
        if (bytes == 0) {
            return;
        }
        DeviceMemory.Allocation a = memory.find(address);
        if (a != null && bytes <= a.requested() - (address - a.base())) {
            return;
        }
        AddressRange global = modules.globalContaining(address);
        if (global != null && global.contains(address, bytes)) {
            return;
        }
        throw new CudaException(CuResult.INVALID_VALUE, String.format(
                "%s 0x%x + %d bytes is not inside one allocation or module global", what, address, bytes));
    }

    // ---- modules and launches ----------------------------------------------------------------

    @Override
    public DeviceModule loadModule(byte[] image) throws CudaException {
        ensureCurrent();
        return modules.load(image);
    }

    @Override
    public void unloadModule(DeviceModule module) throws CudaException {
        ensureCurrent();
        modules.unload(module);
    }

    @Override
    public DeviceFunction function(DeviceModule module, String name) throws CudaException {
        ensureCurrent();
        return modules.function(module, name);
    }

    @Override
    public AddressRange global(DeviceModule module, String name) throws CudaException {
        ensureCurrent();
        return modules.global(module, name);
    }

    @Override
    public int functionAttribute(DeviceFunction function, int attribute) throws CudaException {
        ensureCurrent();
        return modules.attribute(function, attribute);
    }

    @Override
    public void setFunctionAttribute(DeviceFunction function, int attribute, int value) throws CudaException {
        ensureCurrent();
        modules.setAttribute(function, attribute, value);
    }

    /**
     * Copies the parameters into a native scratch buffer reused by every launch and passes it
     * with {@code CU_LAUNCH_PARAM_BUFFER_POINTER}/{@code _SIZE}; the size passed is the layout's
     * end without tail padding, which the driver requires. No allocation on this path.
     */
    @Override
    public void launch(DeviceFunction function, LaunchConfig config, MemorySegment params, DeviceStream stream)
            throws CudaException {
        ensureCurrent();
        CudaFunction f = modules.function(function);
        long s = streams.handle(stream);
        int needed = f.params().bufferSize();
        if (params.byteSize() < needed || needed > MAX_PARAM_BYTES) {
            throw new CudaException(CuResult.INVALID_VALUE, "kernel " + f.name() + " takes " + needed
                    + " bytes of parameters (at most " + MAX_PARAM_BYTES + "), got " + params.byteSize());
        }
        MemorySegment extra = MemorySegment.NULL;
        if (needed > 0) {
            MemorySegment.copy(params, 0, launchParams, 0, needed);
            launchSize.set(JAVA_LONG, 0, needed);
            extra = launchExtra;
        }
        int rc = driver.launchKernel(f.handle, config.gridX(), config.gridY(), config.gridZ(),
                config.blockX(), config.blockY(), config.blockZ(), config.sharedMemBytes(), s, MemorySegment.NULL, extra);
        if (rc != CuResult.SUCCESS) {
            throw driver.error(rc, "cuLaunchKernel(" + f.name() + ", " + config + ")");
        }
    }

    // ---- streams and events -------------------------------------------------------------------

    @Override
    public DeviceStream createStream(int flags, int priority) throws CudaException {
        ensureCurrent();
        return streams.create(flags, priority);
    }

    @Override
    public void destroyStream(DeviceStream stream) throws CudaException {
        ensureCurrent();
        streams.destroy(stream);
    }

    @Override
    public void synchronize(DeviceStream stream) throws CudaException {
        ensureCurrent();
        streams.synchronize(stream);
    }

    @Override
    public boolean query(DeviceStream stream) throws CudaException {
        ensureCurrent();
        return streams.query(stream);
    }

    @Override
    public void waitEvent(DeviceStream stream, DeviceEvent event) throws CudaException {
        ensureCurrent();
        streams.waitEvent(stream, event);
    }

    @Override
    public DeviceEvent createEvent(int flags) throws CudaException {
        ensureCurrent();
        return streams.createEvent(flags);
    }

    @Override
    public void destroyEvent(DeviceEvent event) throws CudaException {
        ensureCurrent();
        streams.destroyEvent(event);
    }

    @Override
    public void record(DeviceEvent event, DeviceStream stream) throws CudaException {
        ensureCurrent();
        streams.record(event, stream);
    }

    @Override
    public void synchronize(DeviceEvent event) throws CudaException {
        ensureCurrent();
        streams.synchronize(event);
    }

    @Override
    public boolean query(DeviceEvent event) throws CudaException {
        ensureCurrent();
        return streams.query(event);
    }

    @Override
    public float elapsedMillis(DeviceEvent start, DeviceEvent end) throws CudaException {
        ensureCurrent();
        return streams.elapsedMillis(start, end);
    }

    @Override
    public void synchronize() throws CudaException {
        ensureCurrent();
        driver.check(driver.ctxSynchronize(), "cuCtxSynchronize");
    }

    /**
     * Waits for the device (errors ignored), then frees modules, events, streams, staging
     * buffers, every allocation and the window reservation, and releases the primary context.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            makeCurrent();
        } catch (CudaException e) {
            // Still release what we can: the calls below fail harmlessly without a context.
        }
        driver.ctxSynchronize();
        modules.close();
        streams.close();
        copies.close();
        memory.close();
        forgetCurrent();
        driver.primaryCtxRelease(device);
        closed = true;
        arena.close();
    }
}
