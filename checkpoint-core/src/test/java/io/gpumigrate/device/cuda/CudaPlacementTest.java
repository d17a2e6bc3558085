package io.gpumigrate.device.cuda;

import org.junit.jupiter.api.extension.ExtendWith;

/** {@link PlacementContract} on a real GPU; where no CUDA GPU is found, each test is skipped with the reason. */
@ExtendWith(RequiresCudaGpu.class)
class CudaPlacementTest extends PlacementContract {

    @Override
    protected CudaBackend open(long windowBase, long windowSize) throws Exception {
        return CudaBackend.open(0, windowBase, windowSize);
    }
}
