package io.gpumigrate.worker;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.ChunkDigests;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.ForwardingDeviceBackend;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.DeviceStream;
import io.gpumigrate.device.LaunchConfig;

import java.lang.foreign.MemorySegment;

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
public final class GlobalRelocatingBackend extends ForwardingDeviceBackend {

    private final GlobalAddressMap globals;

    /** @param device the wrapped device ({@link #device()}), whose addresses are the actual ones */
    public GlobalRelocatingBackend(DeviceBackend device, GlobalAddressMap globals) {
        super(device);
        this.globals = globals;
    }

    public GlobalAddressMap globals() {
        return globals;
    }

    @Override
    public AddressRange global(DeviceModule module, String name) throws CudaException {
        return globals.visible(module, name, device().global(module, name));
    }

    @Override
    public void unloadModule(DeviceModule module) throws CudaException {
        device().unloadModule(module);
        globals.forget(module);
    }

    @Override
    public AddressRange addressRange(long dptr) throws CudaException {
        AddressRange visible = globals.movedRange(dptr);
        AddressRange range = device().addressRange(globals.actual(dptr));
        return visible != null ? visible : range;
    }

    @Override
    public void launch(DeviceFunction f, LaunchConfig config, MemorySegment params, DeviceStream s) throws CudaException {
        device().launch(f, config, globals.translateParams(params), s);
    }

    @Override
    public void copyHtoD(long dst, MemorySegment src, DeviceStream s) throws CudaException {
        device().copyHtoD(globals.actual(dst), src, s);
    }

    @Override
    public void copyHtoDConcurrently(long dst, MemorySegment src) throws CudaException {
        device().copyHtoDConcurrently(globals.actual(dst), src);
    }

    @Override
    public void copyDtoH(MemorySegment dst, long src, DeviceStream s) throws CudaException {
        device().copyDtoH(dst, globals.actual(src), s);
    }

    @Override
    public void copyDtoD(long dst, long src, long bytes, DeviceStream s) throws CudaException {
        device().copyDtoD(globals.actual(dst), globals.actual(src), bytes, s);
    }

    @Override
    public void memset(long dst, int value, int elementSize, long count, DeviceStream s) throws CudaException {
        device().memset(globals.actual(dst), value, elementSize, count, s);
    }

    @Override
    public long[] chunkHashes(long address, long bytes, int chunkSize) throws CudaException {
        return device().chunkHashes(globals.actual(address), bytes, chunkSize);
    }

    @Override
    public ChunkDigests chunkDigests(long address, long bytes, int chunkSize) throws CudaException {
        return device().chunkDigests(globals.actual(address), bytes, chunkSize);
    }
}
