// Device-side printf (a call to the driver-provided vprintf): common in real kernels. The kernel
// must run and compute as usual; where the text goes is the backend's business.
#include <cstdio>

extern "C" __global__ void printing_kernel(const int *in, int *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    if (i == 0) printf("printing_kernel: n=%d first=%d half=%f\n", n, in[0], in[0] * 0.5);
    out[i] = in[i] * 3 + 1;
}
