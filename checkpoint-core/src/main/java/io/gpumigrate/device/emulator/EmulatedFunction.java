package io.gpumigrate.device.emulator;

import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.ParamLayout;
import io.gpumigrate.ptx.DecodedKernel;

/** A kernel of an {@link EmulatedModule}, with the attributes a program may set on it. Session-thread confined. */
final class EmulatedFunction implements DeviceFunction {

    final EmulatedModule module;
    final DecodedKernel kernel;
    /** {@code CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES}. */
    int maxDynamicShared;
    /** {@code CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT}. */
    int carveout = -1;

    EmulatedFunction(EmulatedModule module, DecodedKernel kernel) {
        this.module = module;
        this.kernel = kernel;
        this.maxDynamicShared = Math.max(0, EmulatedDeviceProperties.SHARED_PER_BLOCK - kernel.staticShared());
    }

    @Override
    public String name() {
        return kernel.name();
    }

    @Override
    public ParamLayout params() {
        return kernel.params();
    }

    @Override
    public String toString() {
        return "EmulatedFunction[" + kernel.name() + "]";
    }
}
