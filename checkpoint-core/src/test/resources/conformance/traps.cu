// Device-side assert() and __trap(). Kernels that contain an assert must run normally while it
// holds; a failing assert stops the launch (CUDA_ERROR_ASSERT), and so does __trap().
#include <assert.h>

extern "C" __global__ void checked_scale(int *data, int n, int limit)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    assert(data[i] < limit);
    data[i] *= 2;
}

extern "C" __global__ void trap_if(const int *data, int *out, int bad)
{
    int t = threadIdx.x;
    if (data[t] == bad) __trap();
    out[t] = data[t] + 1;
}
