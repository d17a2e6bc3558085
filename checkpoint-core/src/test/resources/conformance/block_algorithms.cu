// Block-level algorithms: shared-memory tiled matrix multiply, warp-shuffle reduction, block
// prefix sum (scan), and the barrier reductions __syncthreads_count/_and/_or (bar.red).

#define TILE 16

// C[M x N] = A[M x K] * B[K x N], row-major; sizes need not be multiples of TILE.
extern "C" __global__ void matmul_tiled(const float *A, const float *B, float *C, int M, int N, int K)
{
    __shared__ float As[TILE][TILE];
    __shared__ float Bs[TILE][TILE + 1];
    int row = blockIdx.y * TILE + threadIdx.y;
    int col = blockIdx.x * TILE + threadIdx.x;
    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += TILE) {
        int ka = k0 + threadIdx.x, kb = k0 + threadIdx.y;
        As[threadIdx.y][threadIdx.x] = row < M && ka < K ? A[row * K + ka] : 0.0f;
        Bs[threadIdx.y][threadIdx.x] = kb < K && col < N ? B[kb * N + col] : 0.0f;
        __syncthreads();
        for (int k = 0; k < TILE; k++) acc = fmaf(As[threadIdx.y][k], Bs[k][threadIdx.x], acc);
        __syncthreads();
    }
    if (row < M && col < N) C[row * N + col] = acc;
}

// Grid-stride sum: each warp reduces with __shfl_down_sync, warps combine through shared
// memory, blocks through a global atomic.
extern "C" __global__ void reduce_shfl(const int *in, long long *sum, int n)
{
    __shared__ long long warp_sums[32];
    long long acc = 0;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
        acc += in[i];
    for (int d = 16; d > 0; d >>= 1) acc += __shfl_down_sync(0xffffffffu, acc, d);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) warp_sums[warp] = acc;
    __syncthreads();
    if (warp == 0) {
        int warps = (blockDim.x + 31) >> 5;
        acc = lane < warps ? warp_sums[lane] : 0;
        for (int d = 16; d > 0; d >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, d);
        if (lane == 0) atomicAdd((unsigned long long *) sum, (unsigned long long) acc);
    }
}

// Inclusive scan of each block's slice (Hillis-Steele, double-buffered in dynamic shared
// memory of 2 * blockDim.x ints).
extern "C" __global__ void scan_block(const int *in, int *out)
{
    extern __shared__ int buf[];
    int t = threadIdx.x, nt = blockDim.x;
    int g = blockIdx.x * nt + t;
    int src = 0;
    buf[t] = in[g];
    __syncthreads();
    for (int d = 1; d < nt; d <<= 1) {
        int dst = 1 - src;
        buf[dst * nt + t] = buf[src * nt + t] + (t >= d ? buf[src * nt + t - d] : 0);
        __syncthreads();
        src = dst;
    }
    out[g] = buf[src * nt + t];
}

// Barrier reductions: how many threads hold a positive value, whether all do, whether any do.
extern "C" __global__ void barrier_votes(const int *in, int *out)
{
    int v = in[blockIdx.x * blockDim.x + threadIdx.x];
    int count = __syncthreads_count(v > 0);
    int all = __syncthreads_and(v > -50);
    int any = __syncthreads_or(v == 7);
    if (threadIdx.x == 0) {
        out[3 * blockIdx.x] = count;
        out[3 * blockIdx.x + 1] = all;
        out[3 * blockIdx.x + 2] = any;
    }
}
