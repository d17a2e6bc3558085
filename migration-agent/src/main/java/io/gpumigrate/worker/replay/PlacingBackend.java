package io.gpumigrate.worker.replay;

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
import java.util.List;

/**
 * A backend that places the next allocation where the recording had it: the replayer names the
 * address before a MEM_ALLOC whose result was logged, and {@link #memAlloc} then asks the device
 * for exactly that address ({@link DeviceBackend#memAllocAt}). So a log recorded on a GPU
 * replays on the emulator at the GPU's addresses. Where the device cannot place allocations, or
 * no address was named, it allocates as usual. Everything else passes straight through.
 *
 * <p>Not thread-safe, like every backend.
 */
final class PlacingBackend implements DeviceBackend {

    private final DeviceBackend device;
    private long next;
    private boolean placing = true;

    PlacingBackend(DeviceBackend device) {
        this.device = device;
    }

    DeviceBackend device() {
        return device;
    }

    /** The address the next {@link #memAlloc} must return (0: wherever the device chooses). */
    void placeNextAt(long address) {
        next = address;
    }

    @Override
    public long memAlloc(long bytes) throws CudaException {
        long at = next;
        next = 0;
        if (at != 0 && placing) {
            try {
                return device.memAllocAt(at, bytes);
            } catch (CudaException e) {
                if (e.result() != CuResult.NOT_SUPPORTED) {
                    throw new CudaException(e.result(), "cannot place " + bytes + " bytes at 0x" + Long.toHexString(at)
                            + ", where the recording had them: " + e.getMessage());
                }
                placing = false;
            }
        }
        return device.memAlloc(bytes);
    }

    @Override public DeviceProperties properties() { return device.properties(); }
    @Override public void memFree(long dptr) throws CudaException { device.memFree(dptr); }
    @Override public long memAllocAt(long address, long bytes) throws CudaException { return device.memAllocAt(address, bytes); }
    @Override public List<AddressRange> allocations() { return device.allocations(); }
    @Override public long[] chunkHashes(long address, long bytes, int chunkSize) throws CudaException {
        return device.chunkHashes(address, bytes, chunkSize);
    }
    @Override public MemInfo memInfo() throws CudaException { return device.memInfo(); }
    @Override public AddressRange addressRange(long dptr) throws CudaException { return device.addressRange(dptr); }
    @Override public void copyHtoD(long dst, MemorySegment src, DeviceStream s) throws CudaException { device.copyHtoD(dst, src, s); }
    @Override public void copyDtoH(MemorySegment dst, long src, DeviceStream s) throws CudaException { device.copyDtoH(dst, src, s); }
    @Override public void copyDtoD(long dst, long src, long bytes, DeviceStream s) throws CudaException {
        device.copyDtoD(dst, src, bytes, s);
    }
    @Override public void memset(long dst, int value, int elementSize, long count, DeviceStream s) throws CudaException {
        device.memset(dst, value, elementSize, count, s);
    }
    @Override public DeviceModule loadModule(byte[] image) throws CudaException { return device.loadModule(image); }
    @Override public void unloadModule(DeviceModule module) throws CudaException { device.unloadModule(module); }
    @Override public DeviceFunction function(DeviceModule module, String name) throws CudaException {
        return device.function(module, name);
    }
    @Override public AddressRange global(DeviceModule module, String name) throws CudaException { return device.global(module, name); }
    @Override public int functionAttribute(DeviceFunction f, int attribute) throws CudaException {
        return device.functionAttribute(f, attribute);
    }
    @Override public void setFunctionAttribute(DeviceFunction f, int attribute, int value) throws CudaException {
        device.setFunctionAttribute(f, attribute, value);
    }
    @Override public void launch(DeviceFunction f, LaunchConfig config, MemorySegment params, DeviceStream s) throws CudaException {
        device.launch(f, config, params, s);
    }
    @Override public DeviceStream createStream(int flags, int priority) throws CudaException { return device.createStream(flags, priority); }
    @Override public void destroyStream(DeviceStream s) throws CudaException { device.destroyStream(s); }
    @Override public void synchronize(DeviceStream s) throws CudaException { device.synchronize(s); }
    @Override public boolean query(DeviceStream s) throws CudaException { return device.query(s); }
    @Override public void waitEvent(DeviceStream s, DeviceEvent e) throws CudaException { device.waitEvent(s, e); }
    @Override public DeviceEvent createEvent(int flags) throws CudaException { return device.createEvent(flags); }
    @Override public void destroyEvent(DeviceEvent e) throws CudaException { device.destroyEvent(e); }
    @Override public void record(DeviceEvent e, DeviceStream s) throws CudaException { device.record(e, s); }
    @Override public void synchronize(DeviceEvent e) throws CudaException { device.synchronize(e); }
    @Override public boolean query(DeviceEvent e) throws CudaException { return device.query(e); }
    @Override public float elapsedMillis(DeviceEvent start, DeviceEvent end) throws CudaException {
        return device.elapsedMillis(start, end);
    }
    @Override public void synchronize() throws CudaException { device.synchronize(); }
    @Override public void close() { device.close(); }
}
