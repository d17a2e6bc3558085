// Packed integer dot products (dp4a, dp2a: sm_61+), as int8 inference kernels use them.

extern "C" __global__ void dot_products(const int *a, const int *b, const int *c, int *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int x = a[i], y = b[i], z = c[i];
    out[4 * i] = __dp4a(x, y, z);                              // signed bytes
    out[4 * i + 1] = (int) __dp4a((unsigned) x, (unsigned) y, (unsigned) z);   // unsigned bytes
    out[4 * i + 2] = __dp2a_lo(x, y, z);                       // 16-bit halves of x with low bytes of y
    out[4 * i + 3] = __dp2a_hi(x, y, z);                       // ... with high bytes of y
}
