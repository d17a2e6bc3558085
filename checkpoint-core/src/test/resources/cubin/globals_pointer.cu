// benchmarks/gpu/probes/globals_kernel.cu plus a global whose initializer is the address of another: the cubin then
// carries a relocation into .nv.global.init (R_CUDA_G64 against counter), which CubinGlobals
// writes into the block itself.
__device__ unsigned int counter = 7;
__device__ unsigned long long table[4];
__device__ unsigned int *p = &counter;

extern "C" __global__ void bump(unsigned long long *out)
{
    *p = *p + 1;
    table[1] = (unsigned long long)&counter;
    out[0] = (unsigned long long)p;
    out[1] = (unsigned long long)table;
}
