package io.gpumigrate.device.cuda;

import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.ParamLayout;

/** A {@code CUfunction} of a {@link CudaModule}, with its parameter layout. Immutable. */
final class CudaFunction implements DeviceFunction {

    final long handle;
    final CudaModule module;
    private final String name;
    private final ParamLayout params;

    CudaFunction(long handle, CudaModule module, String name, ParamLayout params) {
        this.handle = handle;
        this.module = module;
        this.name = name;
        this.params = params;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ParamLayout params() {
        return params;
    }

    @Override
    public String toString() {
        return String.format("CudaFunction[%s, 0x%x, %d params]", name, handle, params.count());
    }
}
