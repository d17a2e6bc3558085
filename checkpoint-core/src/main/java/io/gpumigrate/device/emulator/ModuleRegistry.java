package io.gpumigrate.device.emulator;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.LaunchConfig;

import java.lang.foreign.MemorySegment;

/** The modules loaded into one {@link EmulatorBackend}. Not thread-safe (the session's thread). */
final class ModuleRegistry {

    private final EmulatorBackend owner;
    private final DeviceAddressSpace memory;

    ModuleRegistry(EmulatorBackend owner, DeviceAddressSpace memory) {
        this.owner = owner;
        this.memory = memory;
    }

    DeviceModule load(byte[] image) throws CudaException {
        throw new CudaException(CuResult.NOT_SUPPORTED, "the emulator cannot load modules yet");
    }

    void unload(DeviceModule module) throws CudaException {
        throw unknown(module);
    }

    DeviceFunction function(DeviceModule module, String name) throws CudaException {
        throw unknown(module);
    }

    AddressRange global(DeviceModule module, String name) throws CudaException {
        throw unknown(module);
    }

    int functionAttribute(DeviceFunction function, int attribute) throws CudaException {
        throw unknown(function);
    }

    void setFunctionAttribute(DeviceFunction function, int attribute, int value) throws CudaException {
        throw unknown(function);
    }

    void launch(DeviceFunction function, LaunchConfig config, MemorySegment params) throws CudaException {
        throw unknown(function);
    }

    void clear() {
    }

    private static CudaException unknown(Object handle) {
        return new CudaException(CuResult.INVALID_HANDLE, "not a module or function of this emulator: " + handle);
    }
}
