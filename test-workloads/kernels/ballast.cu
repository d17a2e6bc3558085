// Kernels for ballast: bulk device memory with contents that can be regenerated and checked.
//
// Word i of a region filled with `seed` holds ballast_word(i, seed, mode):
//   mode 0: zero           (all-zero pages)
//   mode 1: pattern        (runs of 1024 equal words: compresses well)
//   mode 2: random         (a 64-bit mix of index and seed: does not compress)
// Workloads use ballast to give a session gigabytes of verifiable device memory, and
// rewrite slices of it while they run so that each copy round sees memory change.
// Both kernels walk [begin, end) with a grid stride, so any launch size covers any range.

__device__ __forceinline__ unsigned int ballast_word(unsigned long long i, unsigned int seed, int mode)
{
    if (mode == 0) {
        return 0u;
    }
    if (mode == 1) {
        return (unsigned int)(i >> 10) ^ seed;
    }
    unsigned long long z = i + 0x9E3779B97F4A7C15ull * ((unsigned long long)seed + 1ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z = z ^ (z >> 31);
    return (unsigned int)z;
}

extern "C" __global__ void ballast_fill(unsigned int *words, unsigned long long begin,
                                        unsigned long long end, unsigned int seed, int mode)
{
    unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long i = begin + (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
         i < end; i += stride) {
        words[i] = ballast_word(i, seed, mode);
    }
}

// Adds to *mismatches the number of words in [begin, end) that differ from their expected value.
extern "C" __global__ void ballast_check(const unsigned int *words, unsigned long long begin,
                                         unsigned long long end, unsigned int seed, int mode,
                                         unsigned long long *mismatches)
{
    unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    unsigned long long bad = 0;
    for (unsigned long long i = begin + (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
         i < end; i += stride) {
        if (words[i] != ballast_word(i, seed, mode)) {
            bad++;
        }
    }
    if (bad != 0) {
        atomicAdd(mismatches, bad);
    }
}
