package io.gpumigrate.worker;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.ChunkDigests;
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
 * The device as a session's client sees it: module globals at the addresses the client was
 * first given ({@link GlobalAddressMap}). {@link #global} answers the visible range; every
 * device address a call takes (copies, memsets, address-range queries, and the pointer-sized
 * words of a launch's parameters) is translated to where it lies when it falls in a global that
 * moved. Everything else passes straight through, so a session whose globals never moved sees
 * the device unchanged.
 *
 * <p>Not thread-safe, like every backend, except what the wrapped device allows.
 */
public final class GlobalRelocatingBackend implements DeviceBackend {

    private final DeviceBackend device;
    private final GlobalAddressMap globals;

    public GlobalRelocatingBackend(DeviceBackend device, GlobalAddressMap globals) {
        this.device = device;
        this.globals = globals;
    }

    /** The wrapped device, whose addresses are the actual ones. */
    public DeviceBackend device() {
        return device;
    }

    public GlobalAddressMap globals() {
        return globals;
    }

    @Override
    public AddressRange global(DeviceModule module, String name) throws CudaException {
        return globals.visible(module, name, device.global(module, name));
    }

    @Override
    public void unloadModule(DeviceModule module) throws CudaException {
        device.unloadModule(module);
        globals.forget(module);
    }

    @Override
    public AddressRange addressRange(long dptr) throws CudaException {
        AddressRange visible = globals.movedRange(dptr);
        AddressRange range = device.addressRange(globals.actual(dptr));
        return visible != null ? visible : range;
    }

    @Override
    public void launch(DeviceFunction f, LaunchConfig config, MemorySegment params, DeviceStream s) throws CudaException {
        device.launch(f, config, globals.translateParams(params), s);
    }

    @Override
    public void copyHtoD(long dst, MemorySegment src, DeviceStream s) throws CudaException {
        device.copyHtoD(globals.actual(dst), src, s);
    }

    @Override
    public void copyHtoDConcurrently(long dst, MemorySegment src) throws CudaException {
        device.copyHtoDConcurrently(globals.actual(dst), src);
    }

    @Override
    public void copyDtoH(MemorySegment dst, long src, DeviceStream s) throws CudaException {
        device.copyDtoH(dst, globals.actual(src), s);
    }

    @Override
    public void copyDtoD(long dst, long src, long bytes, DeviceStream s) throws CudaException {
        device.copyDtoD(globals.actual(dst), globals.actual(src), bytes, s);
    }

    @Override
    public void memset(long dst, int value, int elementSize, long count, DeviceStream s) throws CudaException {
        device.memset(globals.actual(dst), value, elementSize, count, s);
    }

    @Override
    public long[] chunkHashes(long address, long bytes, int chunkSize) throws CudaException {
        return device.chunkHashes(globals.actual(address), bytes, chunkSize);
    }

    @Override
    public ChunkDigests chunkDigests(long address, long bytes, int chunkSize) throws CudaException {
        return device.chunkDigests(globals.actual(address), bytes, chunkSize);
    }

    @Override public DeviceProperties properties() { return device.properties(); }
    @Override public long memAlloc(long bytes) throws CudaException { return device.memAlloc(bytes); }
    @Override public void memFree(long dptr) throws CudaException { device.memFree(dptr); }
    @Override public long memAllocAt(long address, long bytes) throws CudaException { return device.memAllocAt(address, bytes); }
    @Override public List<AddressRange> allocations() { return device.allocations(); }
    @Override public boolean digestsOnDevice() { return device.digestsOnDevice(); }
    @Override public MemInfo memInfo() throws CudaException { return device.memInfo(); }
    @Override public void registerHost(MemorySegment host) throws CudaException { device.registerHost(host); }
    @Override public void unregisterHost(MemorySegment host) throws CudaException { device.unregisterHost(host); }
    @Override public DeviceModule loadModule(byte[] image) throws CudaException { return device.loadModule(image); }
    @Override public DeviceFunction function(DeviceModule module, String name) throws CudaException {
        return device.function(module, name);
    }
    @Override public int functionAttribute(DeviceFunction f, int attribute) throws CudaException {
        return device.functionAttribute(f, attribute);
    }
    @Override public void setFunctionAttribute(DeviceFunction f, int attribute, int value) throws CudaException {
        device.setFunctionAttribute(f, attribute, value);
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
