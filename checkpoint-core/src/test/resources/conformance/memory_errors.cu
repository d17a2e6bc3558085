// Kernels that break the rules on purpose, for the emulator's memory checker: each must fail
// the launch with CUDA_ERROR_ILLEGAL_ADDRESS instead of reading or writing stray memory.

// Thread `bad` reads `offset` elements past the start of `in` (far outside the allocation).
extern "C" __global__ void oob_read(const int *in, int *out, int bad, long long offset)
{
    int t = threadIdx.x;
    out[t] = t == bad ? in[offset] : in[t];
}

// Every thread writes its element; the last thread writes one element past the end, into the
// padding after an allocation whose size is not a multiple of the allocation alignment.
extern "C" __global__ void write_past_end(int *out, int n)
{
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t <= n) out[t] = t;
}

// Indexes a 64-word shared array with an index the host chooses (beyond the array for one thread).
extern "C" __global__ void shared_overrun(const int *idx, int *out)
{
    __shared__ int words[64];
    int t = threadIdx.x;
    words[t & 63] = t;
    __syncthreads();
    words[idx[t]] = -t;
    __syncthreads();
    out[t] = words[t & 63];
}

// A 16-byte vector load from an address that is only 4-byte aligned: a misaligned access.
extern "C" __global__ void misaligned_vector(const float *base, float4 *out)
{
    const float4 *p = (const float4 *) (base + 1);
    out[threadIdx.x] = p[threadIdx.x];
}
