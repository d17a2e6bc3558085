// Named barriers with thread counts and arrive-only producers (bar.arrive, bar.sync N, count;
// barrier.sync). Kept apart from block_algorithms.cu so that a backend lacking them still runs
// those kernels.

// Named barriers, producer/consumer style: warps 0-1 fill a stage and arrive at barrier 1
// without waiting; warps 2-3 wait at barrier 1 for them (128 threads in all) and read it. Then
// every thread meets at barrier 2 (barrier.sync spelling) and reads the consumers' results.
extern "C" __global__ void named_barriers(const int *in, int *out)
{
    __shared__ int stage[64];
    __shared__ int result[64];
    int t = threadIdx.x;
    if (t < 64) {
        stage[t] = in[t] * 3;
        asm volatile("bar.arrive 1, 128;" ::: "memory");
    } else {
        asm volatile("bar.sync 1, 128;" ::: "memory");
        result[t - 64] = stage[127 - t] + 1;
    }
    asm volatile("barrier.sync 2;" ::: "memory");
    out[t] = t < 64 ? result[t] * 2 : stage[t - 64];
}
