// Kernels for the replay engine's tests: an add, a write at a caller-chosen index (the planted
// out-of-bounds access), and a stamp of the device clock (nondeterministic by design).
extern "C" __global__ void add(const float *a, const float *b, float *c, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        c[i] = __fadd_rn(a[i], b[i]);
    }
}

extern "C" __global__ void write_at(int *out, long long index)
{
    out[index] = 42;
}

extern "C" __global__ void stamp(unsigned long long *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        unsigned long long t;
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
        out[i] = t;
    }
}

// The time of the last stamp_global launch, in a module global: a difference that only a
// comparison of module globals can see.
__device__ unsigned long long last_stamp;

extern "C" __global__ void stamp_global()
{
    unsigned long long t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    last_stamp = t;
}
