// Kernel for vector_add: c[i] = a[i] + b[i].
// One IEEE round-to-nearest add per element, so the CPU reference matches bit for bit.

extern "C" __global__ void vector_add(const float *a, const float *b, float *c, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        c[i] = __fadd_rn(a[i], b[i]);
    }
}
