package io.gpumigrate.device.emulator;

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

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The PTX emulator as a {@link DeviceBackend}: a software GPU that needs no driver.
 *
 * <p>All work runs synchronously on the calling thread (kernels spread their blocks over
 * worker threads but return when done), so streams and events only keep order and time:
 * queries always answer "finished", and an event's time is the host time of its record.
 *
 * <p>Kernels are PTX, parsed and decoded once per module ({@code io.gpumigrate.ptx}); every
 * global, shared and local access is bounds-checked, and a bad one fails the launch with
 * {@code CUDA_ERROR_ILLEGAL_ADDRESS} naming kernel, block, thread, PTX line, address and the
 * nearest allocation. Unlike CUDA, a fault does not poison the context: the worker decides
 * what a sticky error means for the session, and a debugging session can still read memory.
 *
 * <p>Not thread-safe, like every backend: one session thread calls it.
 */
public final class EmulatorBackend implements DeviceBackend {

    /** Device memory reported when none is given: 16 GiB, virtual (untouched memory costs nothing). */
    public static final long DEFAULT_TOTAL_MEMORY = 16L << 30;

    private final DeviceAddressSpace memory;
    private final DeviceProperties properties;
    private final ModuleRegistry modules;
    private final KernelLauncher launcher;
    private boolean closed;

    public EmulatorBackend() {
        this(DEFAULT_TOTAL_MEMORY);
    }

    /** @param totalMemory bytes of device memory to emulate (> 0) */
    public EmulatorBackend(long totalMemory) {
        this(totalMemory, Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param totalMemory bytes of device memory to emulate (> 0)
     * @param workers     threads that run a kernel's blocks, the launching thread included (>= 1)
     */
    public EmulatorBackend(long totalMemory, int workers) {
        this(totalMemory, workers, DeviceAddressSpace.GLOBALS_BASE, true);
    }

    /**
     * An emulated device that places module globals itself, from {@code globalsBase} instead of
     * {@link DeviceAddressSpace#GLOBALS_BASE}, as a GPU's driver does for a module whose cubin the
     * CUDA backend cannot patch: {@link #moduleGlobals} answers null, a module cannot be loaded
     * with its globals at a given address, and after a migration or in a replay the session's
     * globals lie elsewhere. For tests of that path.
     *
     * @param totalMemory bytes of device memory to emulate (> 0)
     * @param workers     threads that run a kernel's blocks, the launching thread included (>= 1)
     * @param globalsBase see {@link DeviceAddressSpace#DeviceAddressSpace(long, long)}
     */
    public EmulatorBackend(long totalMemory, int workers, long globalsBase) {
        this(totalMemory, workers, globalsBase, false);
    }

    private EmulatorBackend(long totalMemory, int workers, long globalsBase, boolean placesGlobals) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, was " + workers);
        }
        this.memory = new DeviceAddressSpace(totalMemory, globalsBase);
        this.properties = EmulatedDeviceProperties.create(totalMemory);
        this.modules = new ModuleRegistry(this, memory, placesGlobals);
        this.launcher = new KernelLauncher(memory, workers);
    }

    /** Thread-instructions and wall time of the last launch that finished (for benchmarks). */
    public io.gpumigrate.ptx.GridLauncher.Stats lastLaunchStats() {
        return launcher.lastStats();
    }

    /** The emulated address space (for tests, snapshots and the memory checker). */
    public DeviceAddressSpace addressSpace() {
        return memory;
    }

    @Override
    public DeviceProperties properties() {
        return properties;
    }

    @Override
    public long memAlloc(long bytes) throws CudaException {
        checkOpen();
        return memory.allocate(bytes, null).base();
    }

    @Override
    public long memAllocAt(long address, long bytes) throws CudaException {
        checkOpen();
        return memory.allocateAt(address, bytes).base();
    }

    @Override
    public List<AddressRange> allocations() {
        List<AddressRange> result = new ArrayList<>();
        for (DeviceAllocation a : memory.allocations()) {
            if (a.label() == null) {
                result.add(new AddressRange(a.base(), a.size()));
            }
        }
        return result;
    }

    @Override
    public void memFree(long dptr) throws CudaException {
        checkOpen();
        memory.free(dptr);
    }

    @Override
    public MemInfo memInfo() throws CudaException {
        checkOpen();
        return new MemInfo(memory.capacity() - memory.used(), memory.capacity());
    }

    @Override
    public AddressRange addressRange(long dptr) throws CudaException {
        checkOpen();
        DeviceAllocation a = memory.find(dptr);
        if (a == null) {
            throw new CudaException(CuResult.INVALID_VALUE, "0x" + Long.toHexString(dptr)
                    + " is not inside any allocation" + memory.nearestHint(dptr));
        }
        return new AddressRange(a.base(), a.size());
    }

    @Override
    public void copyHtoD(long dst, MemorySegment src, DeviceStream stream) throws CudaException {
        checkStream(stream);
        long n = src.byteSize();
        DeviceAllocation a = memory.require(dst, n, "copyHtoD destination");
        a.write(dst - a.base(), src, 0, n);
    }

    /** Copies on the calling thread: allocations take concurrent writes to disjoint bytes (DeviceAllocation). */
    @Override
    public void copyHtoDConcurrently(long dst, MemorySegment src) throws CudaException {
        copyHtoD(dst, src, null);
    }

    @Override
    public void copyDtoH(MemorySegment dst, long src, DeviceStream stream) throws CudaException {
        checkStream(stream);
        long n = dst.byteSize();
        DeviceAllocation a = memory.require(src, n, "copyDtoH source");
        a.read(src - a.base(), dst, 0, n);
    }

    @Override
    public void copyDtoD(long dst, long src, long bytes, DeviceStream stream) throws CudaException {
        checkStream(stream);
        DeviceAllocation from = memory.require(src, bytes, "copyDtoD source");
        DeviceAllocation to = memory.require(dst, bytes, "copyDtoD destination");
        DeviceCopier.copy(from, src - from.base(), to, dst - to.base(), bytes);
    }

    @Override
    public void memset(long dst, int value, int elementSize, long count, DeviceStream stream) throws CudaException {
        checkStream(stream);
        if (elementSize != 1 && elementSize != 2 && elementSize != 4) {
            throw new CudaException(CuResult.INVALID_VALUE, "memset element size must be 1, 2 or 4, was " + elementSize);
        }
        if (count < 0 || count > Long.MAX_VALUE / 4) {
            throw new CudaException(CuResult.INVALID_VALUE, "memset count out of range: " + count);
        }
        if ((dst & (elementSize - 1)) != 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "memset of " + elementSize
                    + "-byte elements needs an address aligned to " + elementSize + ", was 0x" + Long.toHexString(dst));
        }
        DeviceAllocation a = memory.require(dst, count * elementSize, "memset destination");
        a.fill(dst - a.base(), value, elementSize, count);
    }

    @Override
    public DeviceModule loadModule(byte[] image) throws CudaException {
        return loadModule(image, 0);
    }

    @Override
    public DeviceModule loadModule(byte[] image, long globalsAt) throws CudaException {
        checkOpen();
        return modules.load(image, globalsAt);
    }

    @Override
    public AddressRange moduleGlobals(DeviceModule module) throws CudaException {
        checkOpen();
        return modules.globalsBlock(module);
    }

    @Override
    public void unloadModule(DeviceModule module) throws CudaException {
        checkOpen();
        modules.unload(module);
    }

    @Override
    public DeviceFunction function(DeviceModule module, String name) throws CudaException {
        checkOpen();
        return modules.function(module, name);
    }

    @Override
    public AddressRange global(DeviceModule module, String name) throws CudaException {
        checkOpen();
        return modules.global(module, name);
    }

    @Override
    public int functionAttribute(DeviceFunction function, int attribute) throws CudaException {
        checkOpen();
        return modules.functionAttribute(function, attribute);
    }

    @Override
    public void setFunctionAttribute(DeviceFunction function, int attribute, int value) throws CudaException {
        checkOpen();
        modules.setFunctionAttribute(function, attribute, value);
    }

    @Override
    public void launch(DeviceFunction function, LaunchConfig config, MemorySegment params, DeviceStream stream)
            throws CudaException {
        checkStream(stream);
        launcher.launch(modules.checkFunction(function), config, params);
    }

    @Override
    public DeviceStream createStream(int flags, int priority) throws CudaException {
        checkOpen();
        return new EmulatedStream(this, flags, priority);
    }

    @Override
    public void destroyStream(DeviceStream stream) throws CudaException {
        if (stream == null) {
            throw new CudaException(CuResult.INVALID_HANDLE, "the default stream cannot be destroyed");
        }
        checkStream(stream);
        ((EmulatedStream) stream).destroyed = true;
    }

    @Override
    public void synchronize(DeviceStream stream) throws CudaException {
        checkStream(stream);
    }

    @Override
    public boolean query(DeviceStream stream) throws CudaException {
        checkStream(stream);
        return true;
    }

    @Override
    public void waitEvent(DeviceStream stream, DeviceEvent event) throws CudaException {
        checkStream(stream);
        checkEvent(event);
    }

    @Override
    public DeviceEvent createEvent(int flags) throws CudaException {
        checkOpen();
        return new EmulatedEvent(this, flags);
    }

    @Override
    public void destroyEvent(DeviceEvent event) throws CudaException {
        checkEvent(event).destroyed = true;
    }

    @Override
    public void record(DeviceEvent event, DeviceStream stream) throws CudaException {
        checkStream(stream);
        checkEvent(event).recordedNanos = System.nanoTime();
    }

    @Override
    public void synchronize(DeviceEvent event) throws CudaException {
        checkEvent(event);
    }

    @Override
    public boolean query(DeviceEvent event) throws CudaException {
        checkEvent(event);
        return true;
    }

    @Override
    public float elapsedMillis(DeviceEvent start, DeviceEvent end) throws CudaException {
        EmulatedEvent s = checkEvent(start);
        EmulatedEvent e = checkEvent(end);
        if (((s.flags | e.flags) & EmulatedEvent.DISABLE_TIMING) != 0) {
            throw new CudaException(CuResult.INVALID_HANDLE, "an event created with CU_EVENT_DISABLE_TIMING has no time");
        }
        if (s.recordedNanos < 0 || e.recordedNanos < 0) {
            throw new CudaException(CuResult.INVALID_HANDLE, "both events must have been recorded");
        }
        return (e.recordedNanos - s.recordedNanos) / 1e6f;
    }

    @Override
    public void synchronize() throws CudaException {
        checkOpen();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            launcher.close();
            modules.clear();
            memory.clear();
        }
    }

    private void checkOpen() throws CudaException {
        if (closed) {
            throw new CudaException(CuResult.DEINITIALIZED, "the emulator backend has been closed");
        }
    }

    private void checkStream(DeviceStream stream) throws CudaException {
        checkOpen();
        if (stream == null) {
            return;
        }
        if (!(stream instanceof EmulatedStream s) || s.owner != this || s.destroyed) {
            throw new CudaException(CuResult.INVALID_HANDLE, "not a live stream of this emulator: " + stream);
        }
    }

    private EmulatedEvent checkEvent(DeviceEvent event) throws CudaException {
        checkOpen();
        if (!(event instanceof EmulatedEvent e) || e.owner != this || e.destroyed) {
            throw new CudaException(CuResult.INVALID_HANDLE, "not a live event of this emulator: " + event);
        }
        return e;
    }
}
