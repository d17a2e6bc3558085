package io.gpumigrate.checkpoint;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A test double: device memory in host memory, with the allocation and copy methods the
 * checkpoint code uses and nothing else (kernels, streams and events are not supported).
 * Thread-safe (synchronized), so tests can look at it from their own thread.
 */
final class HostMemoryBackend implements DeviceBackend {

    static final long WINDOW_BASE = 0x2000_0000_0000L;
    static final long WINDOW_SIZE = 1L << 40;

    private final TreeMap<Long, MemorySegment> allocations = new TreeMap<>();
    private final Arena arena = Arena.ofShared();
    private final long capacity;
    private long used;
    private long next = WINDOW_BASE;

    HostMemoryBackend(long capacity) {
        this.capacity = capacity;
    }

    HostMemoryBackend() {
        this(1L << 31);
    }

    static AddressRange window() {
        return new AddressRange(WINDOW_BASE, WINDOW_SIZE);
    }

    @Override
    public synchronized long memAlloc(long bytes) throws CudaException {
        long address = (next + 0xFFFFF) & ~0xFFFFFL;
        memAllocAt(address, bytes);
        return address;
    }

    @Override
    public synchronized long memAllocAt(long address, long bytes) throws CudaException {
        if (bytes <= 0 || !window().contains(address, bytes)) {
            throw new CudaException(CuResult.INVALID_VALUE, "range 0x" + Long.toHexString(address) + "+" + bytes
                    + " is outside the window");
        }
        Map.Entry<Long, MemorySegment> below = allocations.floorEntry(address + bytes - 1);
        if (below != null && below.getKey() + below.getValue().byteSize() > address) {
            throw new CudaException(CuResult.INVALID_VALUE, "0x" + Long.toHexString(address) + " overlaps an allocation");
        }
        if (used + bytes > capacity) {
            throw new CudaException(CuResult.OUT_OF_MEMORY, bytes + " bytes do not fit");
        }
        allocations.put(address, arena.allocate(bytes, 256));
        used += bytes;
        next = Math.max(next, address + bytes);
        return address;
    }

    @Override
    public synchronized void memFree(long dptr) throws CudaException {
        MemorySegment removed = allocations.remove(dptr);
        if (removed == null) {
            throw new CudaException(CuResult.INVALID_VALUE, "no allocation at 0x" + Long.toHexString(dptr));
        }
        used -= removed.byteSize();
    }

    @Override
    public synchronized List<AddressRange> allocations() {
        List<AddressRange> result = new ArrayList<>();
        allocations.forEach((base, segment) -> result.add(new AddressRange(base, segment.byteSize())));
        return result;
    }

    @Override
    public synchronized MemInfo memInfo() {
        return new MemInfo(capacity - used, capacity);
    }

    @Override
    public synchronized AddressRange addressRange(long dptr) throws CudaException {
        Map.Entry<Long, MemorySegment> e = allocations.floorEntry(dptr);
        if (e == null || dptr >= e.getKey() + e.getValue().byteSize()) {
            throw new CudaException(CuResult.NOT_FOUND, "0x" + Long.toHexString(dptr) + " is not allocated");
        }
        return new AddressRange(e.getKey(), e.getValue().byteSize());
    }

    /** The device bytes at {@code [address, address + length)}, which must lie in one allocation. */
    synchronized MemorySegment view(long address, long length) throws CudaException {
        AddressRange range = addressRange(address);
        if (!range.contains(address, length)) {
            throw new CudaException(CuResult.INVALID_VALUE, "copy of " + length + " bytes at 0x"
                    + Long.toHexString(address) + " leaves its allocation");
        }
        return allocations.get(range.base()).asSlice(address - range.base(), length);
    }

    @Override
    public void copyHtoD(long dst, MemorySegment src, DeviceStream stream) throws CudaException {
        view(dst, src.byteSize()).copyFrom(src);
    }

    @Override
    public void copyDtoH(MemorySegment dst, long src, DeviceStream stream) throws CudaException {
        dst.copyFrom(view(src, dst.byteSize()));
    }

    @Override
    public void copyDtoD(long dst, long src, long bytes, DeviceStream stream) throws CudaException {
        view(dst, bytes).copyFrom(view(src, bytes));
    }

    @Override
    public void memset(long dst, int value, int elementSize, long count, DeviceStream stream) throws CudaException {
        if (elementSize != 1) {
            throw unsupported();
        }
        view(dst, count).fill((byte) value);
    }

    @Override
    public synchronized void close() {
        allocations.clear();
        arena.close();
    }

    private static CudaException unsupported() {
        return new CudaException(CuResult.NOT_SUPPORTED, "not part of the host-memory test double");
    }

    @Override
    public DeviceProperties properties() {
        return new DeviceProperties("host-memory", new byte[16], capacity, new int[1], 13000);
    }

    @Override
    public DeviceModule loadModule(byte[] image) throws CudaException {
        throw unsupported();
    }

    @Override
    public void unloadModule(DeviceModule module) throws CudaException {
        throw unsupported();
    }

    @Override
    public DeviceFunction function(DeviceModule module, String name) throws CudaException {
        throw unsupported();
    }

    @Override
    public AddressRange global(DeviceModule module, String name) throws CudaException {
        throw unsupported();
    }

    @Override
    public int functionAttribute(DeviceFunction function, int attribute) throws CudaException {
        throw unsupported();
    }

    @Override
    public void setFunctionAttribute(DeviceFunction function, int attribute, int value) throws CudaException {
        throw unsupported();
    }

    @Override
    public void launch(DeviceFunction function, LaunchConfig config, MemorySegment params, DeviceStream stream)
            throws CudaException {
        throw unsupported();
    }

    @Override
    public DeviceStream createStream(int flags, int priority) throws CudaException {
        throw unsupported();
    }

    @Override
    public void destroyStream(DeviceStream stream) throws CudaException {
        throw unsupported();
    }

    @Override
    public void synchronize(DeviceStream stream) {
    }

    @Override
    public boolean query(DeviceStream stream) {
        return true;
    }

    @Override
    public void waitEvent(DeviceStream stream, DeviceEvent event) throws CudaException {
        throw unsupported();
    }

    @Override
    public DeviceEvent createEvent(int flags) throws CudaException {
        throw unsupported();
    }

    @Override
    public void destroyEvent(DeviceEvent event) throws CudaException {
        throw unsupported();
    }

    @Override
    public void record(DeviceEvent event, DeviceStream stream) throws CudaException {
        throw unsupported();
    }

    @Override
    public void synchronize(DeviceEvent event) throws CudaException {
        throw unsupported();
    }

    @Override
    public boolean query(DeviceEvent event) throws CudaException {
        throw unsupported();
    }

    @Override
    public float elapsedMillis(DeviceEvent start, DeviceEvent end) throws CudaException {
        throw unsupported();
    }

    @Override
    public void synchronize() {
    }
}
