// Asynchronous global-to-shared copies (cp.async, sm_80+), as pipelined kernels use them:
// each thread copies 4 and 16 bytes into shared memory, waits for its copies, then the block
// reads them back reversed. A backend must either run this correctly or refuse the module at
// load time naming the instruction.

extern "C" __global__ void async_copy(const int *in, const int4 *in4, int *out, int4 *out4)
{
    __shared__ int stage[128];
    __shared__ int4 stage4[128];
    int t = threadIdx.x;
    unsigned s = (unsigned) __cvta_generic_to_shared(&stage[t]);
    unsigned s4 = (unsigned) __cvta_generic_to_shared(&stage4[t]);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4;" :: "r"(s), "l"(in + blockIdx.x * blockDim.x + t) : "memory");
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(s4), "l"(in4 + blockIdx.x * blockDim.x + t) : "memory");
    asm volatile("cp.async.commit_group;" ::: "memory");
    asm volatile("cp.async.wait_group 0;" ::: "memory");
    __syncthreads();
    int r = blockDim.x - 1 - t;
    out[blockIdx.x * blockDim.x + t] = stage[r];
    out4[blockIdx.x * blockDim.x + t] = stage4[r];
}
