package io.gpumigrate.device.emulator;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.ptx.PtxModule;

import java.util.LinkedHashMap;
import java.util.Map;

/** A loaded module: its kernels, decoded once, and its globals in the device address space. Session-thread confined. */
final class EmulatedModule implements DeviceModule {

    final EmulatorBackend owner;
    final PtxModule ptx;
    /** Where each global ({@code .global} or {@code .const}) lies: inside {@link #block}. */
    final Map<String, AddressRange> globals = new LinkedHashMap<>();
    /** The device memory holding the module's globals; null when it has none. */
    DeviceAllocation block;
    final Map<String, EmulatedFunction> functions = new LinkedHashMap<>();
    /** Bytes of .const variables (CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES). */
    long constBytes;
    boolean unloaded;

    EmulatedModule(EmulatorBackend owner, PtxModule ptx) {
        this.owner = owner;
        this.ptx = ptx;
    }

    /** The PTX ISA version as CUDA reports it: major * 10 + minor. */
    int ptxVersion() {
        String[] parts = ptx.version().split("\\.");
        try {
            return Integer.parseInt(parts[0]) * 10 + (parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return "EmulatedModule" + functions.keySet();
    }
}
