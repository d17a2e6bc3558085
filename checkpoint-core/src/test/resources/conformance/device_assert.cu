// Device-side assert(): a call to __assertfail, which the driver provides. Kernels that contain
// an assert must run normally while it holds; a failing assert stops the launch (CUDA_ERROR_ASSERT).
#include <assert.h>

extern "C" __global__ void checked_scale(int *data, int n, int limit)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    assert(data[i] < limit);
    data[i] *= 2;
}
