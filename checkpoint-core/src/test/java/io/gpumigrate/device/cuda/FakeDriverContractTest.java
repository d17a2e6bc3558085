package io.gpumigrate.device.cuda;

import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceBackendContract;

/**
 * The device contract run by the CUDA backend over {@code fake_libcuda.c}: the Java side's
 * calls, argument layouts, handle bookkeeping and error mapping, on any machine with gcc. The
 * fake runs kernels on the CPU and lacks {@code cuFuncGetParamInfo}, so parameter layouts come
 * from the PTX fallback here.
 */
class FakeDriverContractTest extends DeviceBackendContract {

    @Override
    protected DeviceBackend newBackend() throws io.gpumigrate.device.CudaException {
        try {
            return CudaBackend.open(FakeDriver.driver(), 0, CudaBackend.DEFAULT_WINDOW_BASE, 0);
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
