// Divergent control flow: per-thread loop trip counts (Collatz), nested loops with break and
// continue, a dense switch, threads leaving early through PTX exit, and
// divergent paths that rejoin before __syncthreads.

extern "C" __global__ void collatz(const unsigned *start, int *steps, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    unsigned long long v = start[i];
    int s = 0;
    while (v != 1 && s < 10000) {
        v = (v & 1) ? 3 * v + 1 : v >> 1;
        s++;
    }
    steps[i] = s;
}

extern "C" __global__ void branchy(const int *in, int *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int v = in[i];
    int acc = 0;
    for (int a = 0; a < (v & 15); a++) {
        if (a % 3 == 2) continue;
        for (int b = 0; b < 10; b++) {
            if (b > a) break;
            acc += a * b + (v >> 4 & 7);
        }
    }
    switch (v % 9) {
    case 0: acc += 11; break;
    case 1: acc *= 3; break;
    case 2: acc -= 100; break;
    case 3: acc ^= 0x5555; break;
    case 4: acc = acc << 2; break;
    case 5: acc = -acc; break;
    case 6: acc += v; break;
    case 7: acc |= 1; break;
    default: acc = 42; break;
    }
    if (v < 0) {
        out[i] = -1;
        asm volatile("exit;");   // a thread may leave the kernel anywhere
    }
    out[i] = acc;
}

// Threads take different paths, then the block meets at a barrier and exchanges values.
extern "C" __global__ void diverge_then_sync(const int *in, int *out)
{
    __shared__ int vals[256];
    int t = threadIdx.x;
    int v = in[blockIdx.x * blockDim.x + t];
    if (t & 1) {
        for (int k = 0; k < (t & 7); k++) v = v * 5 + 1;
    } else if (t % 4 == 0) {
        v = ~v;
    } else {
        v -= t;
    }
    vals[t] = v;
    __syncthreads();
    out[blockIdx.x * blockDim.x + t] = vals[t] + vals[(t + 1) % blockDim.x];
}
