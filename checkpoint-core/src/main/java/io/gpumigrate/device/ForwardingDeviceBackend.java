package io.gpumigrate.device;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A backend that passes every call, the interface's default methods included, to another one:
 * the base of wrappers that change a few calls (where allocations are placed on a replay, where
 * module globals lie for a client) and must not lose what the wrapped device does better than
 * the defaults (digests on the device, concurrent copies, host registration).
 *
 * <p>Thread-safety: that of the wrapped device, plus what a subclass adds.
 */
public abstract class ForwardingDeviceBackend implements DeviceBackend {

    private final DeviceBackend device;

    protected ForwardingDeviceBackend(DeviceBackend device) {
        this.device = device;
    }

    /** The wrapped device. */
    public DeviceBackend device() {
        return device;
    }

    @Override public DeviceProperties properties() { return device.properties(); }
    @Override public long memAlloc(long bytes) throws CudaException { return device.memAlloc(bytes); }
    @Override public void memFree(long dptr) throws CudaException { device.memFree(dptr); }
    @Override public long memAllocAt(long address, long bytes) throws CudaException { return device.memAllocAt(address, bytes); }
    @Override public List<AddressRange> allocations() { return device.allocations(); }
    @Override public long[] chunkHashes(long address, long bytes, int chunkSize) throws CudaException {
        return device.chunkHashes(address, bytes, chunkSize);
    }
    @Override public ChunkDigests chunkDigests(long address, long bytes, int chunkSize) throws CudaException {
        return device.chunkDigests(address, bytes, chunkSize);
    }
    @Override public boolean digestsOnDevice() { return device.digestsOnDevice(); }
    @Override public MemInfo memInfo() throws CudaException { return device.memInfo(); }
    @Override public AddressRange addressRange(long dptr) throws CudaException { return device.addressRange(dptr); }
    @Override public void copyHtoD(long dst, MemorySegment src, DeviceStream s) throws CudaException { device.copyHtoD(dst, src, s); }
    @Override public void copyHtoDConcurrently(long dst, MemorySegment src) throws CudaException {
        device.copyHtoDConcurrently(dst, src);
    }
    @Override public void copyDtoH(MemorySegment dst, long src, DeviceStream s) throws CudaException { device.copyDtoH(dst, src, s); }
    @Override public void copyDtoD(long dst, long src, long bytes, DeviceStream s) throws CudaException {
        device.copyDtoD(dst, src, bytes, s);
    }
    @Override public void registerHost(MemorySegment host) throws CudaException { device.registerHost(host); }
    @Override public void unregisterHost(MemorySegment host) throws CudaException { device.unregisterHost(host); }
    @Override public void memset(long dst, int value, int elementSize, long count, DeviceStream s) throws CudaException {
        device.memset(dst, value, elementSize, count, s);
    }
    @Override public DeviceModule loadModule(byte[] image) throws CudaException { return device.loadModule(image); }
    @Override public DeviceModule loadModule(byte[] image, long globalsAt) throws CudaException {
        return device.loadModule(image, globalsAt);
    }
    @Override public AddressRange moduleGlobals(DeviceModule module) throws CudaException {
        return device.moduleGlobals(module);
    }
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
