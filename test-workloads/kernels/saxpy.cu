// Kernel for saxpy_loop: y[i] = fma(a, x[i], y[i]).
// The fused multiply-add is explicit (__fmaf_rn) so that neither nvcc nor ptxas can choose
// between fused and unfused forms: the host reference uses C's fmaf() and matches bit for bit.
// Parameters are ordered so that the packed buffer has no padding (8 + 8 + 4 + 4 = 24 bytes),
// which lets the host pass them through cuLaunchKernel's `extra` as a plain struct.

extern "C" __global__ void saxpy(const float *x, float *y, float a, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = __fmaf_rn(a, x[i], y[i]);
    }
}
