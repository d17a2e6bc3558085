// Kernel for reduce: a sum in two passes with a shared-memory tree.
//
// Each block first accumulates a grid-stride slice per thread, in index order, then folds
// its blockDim.x values in halves (stride blockDim.x/2, /4, ..., 1). Pass 1 runs this over
// the input and writes one partial sum per block; pass 2 runs it with one block over the
// partials. The order of every float add is fixed, so the host replays it exactly.
//
// Contract: blockDim.x is a power of two, and the launch passes blockDim.x * sizeof(float)
// bytes of dynamic shared memory.

extern "C" __global__ void reduce_sum(const float *in, float *out, int n)
{
    extern __shared__ float partial[];
    unsigned int tid = threadIdx.x;
    unsigned int stride = gridDim.x * blockDim.x;

    float acc = 0.0f;
    for (unsigned int i = blockIdx.x * blockDim.x + tid; i < (unsigned int)n; i += stride) {
        acc = __fadd_rn(acc, in[i]);
    }
    partial[tid] = acc;
    __syncthreads();

    for (unsigned int half = blockDim.x / 2; half > 0; half >>= 1) {
        if (tid < half) {
            partial[tid] = __fadd_rn(partial[tid], partial[tid + half]);
        }
        __syncthreads();
    }
    if (tid == 0) {
        out[blockIdx.x] = partial[0];
    }
}
