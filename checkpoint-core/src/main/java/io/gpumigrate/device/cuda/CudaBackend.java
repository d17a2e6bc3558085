package io.gpumigrate.device.cuda;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.ChunkDigests;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceEvent;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.DeviceProperties;
import io.gpumigrate.device.DeviceStream;
import io.gpumigrate.device.KernelChunkHasher;
import io.gpumigrate.device.LaunchConfig;
import io.gpumigrate.device.MemInfo;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The {@link DeviceBackend} for a real GPU: NVIDIA's {@code libcuda.so.1} called through FFM,
 * on the device's primary context, with every allocation placed in the session's address
 * window (see {@link DeviceMemory}) so that a restore can map the same addresses elsewhere.
 *
 * <p>Not thread-safe, as the SPI says: one session thread at a time. Every public method makes
 * the context current on the calling thread first (one thread-local read when it already is),
 * so the session may move between threads as long as calls do not overlap. What the backend
 * holds on the device, and the order it is taken and given back in, is {@link OpenedDevice}.
 */
public final class CudaBackend implements DeviceBackend {

    /** The default base of the session address window, granted by the driver in practice (DESIGN.md). */
    public static final long DEFAULT_WINDOW_BASE = 0x2000_0000_0000L;
    /** The smallest default window; the default is twice the device memory, rounded up to 1 GiB. */
    public static final long MIN_DEFAULT_WINDOW = 64L << 30;

    private final CudaDriver driver;
    private final OpenedDevice opened;
    private final DeviceMemory memory;
    private final HostCopies copies;
    private final CudaModules modules;
    private final CudaStreams streams;
    private final CheckedCopies checked;
    private KernelChunkHasher hasher;
    private CudaException hasherLoadFailure;

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
        this.opened = new OpenedDevice(driver, ordinal, windowBase, windowSize);
        this.memory = opened.memory;
        this.copies = opened.copies;
        this.modules = opened.modules;
        this.streams = opened.streams;
        this.checked = opened.checked;
    }

    /** Twice the device memory rounded up to 1 GiB, at least {@link #MIN_DEFAULT_WINDOW}. */
    static long defaultWindowSize(long totalMemory) {
        long gib = 1L << 30;
        return Math.max(MIN_DEFAULT_WINDOW, (2 * totalMemory + gib - 1) / gib * gib);
    }

    private void ensureCurrent() throws CudaException {
        if (opened.closed()) {
            throw new CudaException(CuResult.INVALID_CONTEXT, "the CUDA backend for device " + opened.ordinal + " is closed");
        }
        opened.context.ensureCurrent();
    }

    // ---- session state ---------------------------------------------------------------------

    /** The device ordinal this backend runs on. */
    public int ordinal() {
        return opened.ordinal;
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

    /**
     * Every live allocation, in address order, with the size the program asked for: what a
     * snapshot copies and a restore recreates with {@link #memAllocAt}.
     */
    public List<AddressRange> allocations() {
        List<AddressRange> ranges = new ArrayList<>();
        for (DeviceMemory.Allocation a : memory.allocations()) {
            ranges.add(new AddressRange(a.base(), a.requested()));
        }
        return ranges;
    }

    @Override
    public DeviceProperties properties() {
        return opened.properties;
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

    /**
     * Waits for the context's work first, as {@code cuMemFree} does, so that no queued work
     * still uses the memory when it is unmapped.
     */
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
        MemorySegment out = opened.out;
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
        checked.toDevice(dst, src, streams.handle(stream));
    }

    /**
     * Copies on the calling thread's per-thread default stream ({@code CU_STREAM_PER_THREAD}) and
     * waits for it, with this context made current on that thread: copies from several threads
     * overlap, pinned ones as DMA, pageable ones through the driver's own staging.
     */
    @Override
    public void copyHtoDConcurrently(long dst, MemorySegment src) throws CudaException {
        ensureCurrent();
        checked.toDeviceConcurrently(dst, src);
    }

    @Override
    public void copyDtoH(MemorySegment dst, long src, DeviceStream stream) throws CudaException {
        ensureCurrent();
        checked.toHost(dst, src, streams.handle(stream));
    }

    @Override
    public void copyDtoD(long dst, long src, long bytes, DeviceStream stream) throws CudaException {
        ensureCurrent();
        checked.deviceToDevice(dst, src, bytes, streams.handle(stream));
    }

    @Override
    public void memset(long dst, int value, int elementSize, long count, DeviceStream stream) throws CudaException {
        ensureCurrent();
        checked.memset(dst, value, elementSize, count, streams.handle(stream));
    }

    /**
     * Hashes and zero-tests the chunks on the GPU ({@link KernelChunkHasher}, loaded on first
     * use): 12 bytes per chunk cross the bus instead of every byte. Falls back to the SPI's
     * host-side default for ranges the kernels do not take (not 8-byte aligned) or when the
     * kernels cannot be loaded on this driver.
     */
    @Override
    public boolean digestsOnDevice() {
        return hasherLoadFailure == null;
    }

    @Override
    public ChunkDigests chunkDigests(long address, long bytes, int chunkSize) throws CudaException {
        ensureCurrent();
        if (!KernelChunkHasher.accepts(address, bytes, chunkSize) || hasherLoadFailure != null) {
            return DeviceBackend.super.chunkDigests(address, bytes, chunkSize);
        }
        if (hasher == null) {
            try {
                hasher = KernelChunkHasher.load(this, opened.digestScratch);
            } catch (CudaException e) {
                hasherLoadFailure = e;
                return DeviceBackend.super.chunkDigests(address, bytes, chunkSize);
            }
        }
        synchronize();
        return hasher.digests(address, bytes, chunkSize);
    }

    // ---- modules and launches ----------------------------------------------------------------

    @Override
    public DeviceModule loadModule(byte[] image) throws CudaException {
        return loadModule(image, 0);
    }

    /**
     * Loads the module with its globals in a block of the globals region where its cubin allows
     * (see {@link CudaModules#load}), and writes their initial values there.
     */
    @Override
    public DeviceModule loadModule(byte[] image, long globalsAt) throws CudaException {
        ensureCurrent();
        CudaModule module = modules.load(image, globalsAt);
        if (module.block != 0) {
            try {
                copyHtoD(module.block, MemorySegment.ofArray(module.initialGlobals), null);
                synchronize();
            } catch (CudaException e) {
                modules.unload(module);
                throw e;
            }
        }
        return module;
    }

    @Override
    public AddressRange moduleGlobals(DeviceModule module) throws CudaException {
        ensureCurrent();
        return modules.globalsBlock(module);
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

    /** Allocates nothing: see {@link KernelLauncher}. */
    @Override
    public void launch(DeviceFunction function, LaunchConfig config, MemorySegment params, DeviceStream stream)
            throws CudaException {
        ensureCurrent();
        opened.launcher.launch(modules.function(function), config, params, streams.handle(stream));
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
        opened.close();
    }
}
