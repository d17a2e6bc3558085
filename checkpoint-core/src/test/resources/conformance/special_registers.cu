// Special registers: %tid/%ntid/%ctaid/%nctaid in three dimensions, %laneid, %warpid,
// %nwarpid, %lanemask_*, %smid/%nsmid, %clock/%clock64 and %globaltimer.

#define SREG_RESULTS 16

extern "C" __global__ void ids3d(unsigned *out)
{
    unsigned block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    unsigned thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    unsigned g = block * (blockDim.x * blockDim.y * blockDim.z) + thread;
    unsigned *o = out + g * SREG_RESULTS;
    o[0] = threadIdx.x; o[1] = threadIdx.y; o[2] = threadIdx.z;
    o[3] = blockIdx.x;  o[4] = blockIdx.y;  o[5] = blockIdx.z;
    o[6] = blockDim.x;  o[7] = blockDim.y;  o[8] = blockDim.z;
    o[9] = gridDim.x;   o[10] = gridDim.y;  o[11] = gridDim.z;
    unsigned lane, warp, nwarp, lt;
    asm("mov.u32 %0, %%laneid;" : "=r"(lane));
    asm("mov.u32 %0, %%warpid;" : "=r"(warp));
    asm("mov.u32 %0, %%nwarpid;" : "=r"(nwarp));
    asm("mov.u32 %0, %%lanemask_lt;" : "=r"(lt));
    o[12] = lane; o[13] = warp; o[14] = nwarp; o[15] = lt;
}

// Time: clock64 and clock advance across a loop; globaltimer never goes backwards.
extern "C" __global__ void timers(const int *work, unsigned long long *out)
{
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    unsigned long long g0, g1;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(g0));
    long long c0 = clock64();
    unsigned s0, s1;
    asm volatile("mov.u32 %0, %%clock;" : "=r"(s0));
    int acc = 0;
    for (int k = 0; k < work[t]; k++) acc = acc * 3 + k;
    asm volatile("mov.u32 %0, %%clock;" : "=r"(s1));
    long long c1 = clock64();
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(g1));
    unsigned sm, nsm, eq, ge;
    asm("mov.u32 %0, %%smid;" : "=r"(sm));
    asm("mov.u32 %0, %%nsmid;" : "=r"(nsm));
    asm("mov.u32 %0, %%lanemask_eq;" : "=r"(eq));
    asm("mov.u32 %0, %%lanemask_ge;" : "=r"(ge));
    unsigned long long *o = out + t * 10;
    o[0] = c0; o[1] = c1; o[2] = g0; o[3] = g1; o[4] = s1 - s0;
    o[5] = sm; o[6] = nsm; o[7] = eq; o[8] = ge; o[9] = acc;
}

// Shared memory sizes as the kernel sees them: the dynamic part is what the launch asked for.
extern "C" __global__ void smem_sizes(unsigned *out)
{
    __shared__ int fixed[100];
    extern __shared__ int dyn[];
    fixed[threadIdx.x] = threadIdx.x;
    dyn[threadIdx.x] = fixed[threadIdx.x];
    __syncthreads();
    unsigned dynamic_size, total_size;
    asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(dynamic_size));
    asm("mov.u32 %0, %%total_smem_size;" : "=r"(total_size));
    if (threadIdx.x == 0) {
        out[0] = dynamic_size;
        out[1] = total_size;
        out[2] = dyn[blockDim.x - 1];
    }
}
