package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceBackendContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The device contract on a real GPU; where no CUDA GPU is found, each test is skipped with the reason. */
@ExtendWith(RequiresCudaGpu.class)
class CudaBackendTest extends DeviceBackendContract {

    @Override
    protected DeviceBackend newBackend() throws CudaException {
        return CudaBackend.open(0);
    }
}
