// Kernel for matmul: C = A * B for n x n row-major matrices, in TILE x TILE tiles staged
// through shared memory. Any n works: tiles past the edge are padded with zeros.
//
// Each output accumulates acc = fma(A[row][k], B[k][col], acc) for k = 0, 1, ..., in order
// (padding adds fma(0, 0, acc) == acc), so the host reference with fmaf() matches bit for bit.
// Launch with blockDim = (TILE, TILE) and grid = (ceil(n/TILE), ceil(n/TILE)).

#define TILE 16

extern "C" __global__ void matmul_tiled(const float *a, const float *b, float *c, int n)
{
    __shared__ float tile_a[TILE][TILE];
    __shared__ float tile_b[TILE][TILE];

    int tx = threadIdx.x;
    int ty = threadIdx.y;
    int row = blockIdx.y * TILE + ty;
    int col = blockIdx.x * TILE + tx;
    float acc = 0.0f;

    for (int base = 0; base < n; base += TILE) {
        int ka = base + tx;
        int kb = base + ty;
        tile_a[ty][tx] = (row < n && ka < n) ? a[(size_t)row * n + ka] : 0.0f;
        tile_b[ty][tx] = (kb < n && col < n) ? b[(size_t)kb * n + col] : 0.0f;
        __syncthreads();
        for (int k = 0; k < TILE; k++) {
            acc = __fmaf_rn(tile_a[ty][k], tile_b[k][tx], acc);
        }
        __syncthreads();
    }
    if (row < n && col < n) {
        c[(size_t)row * n + col] = acc;
    }
}
