// Warp collectives after divergence that lasts long: lanes loop a different number of times
// (enough for a scheduler that lets diverged groups take turns to switch groups mid-loop), then
// the whole warp shuffles and votes. The collectives must see every lane with its final value,
// whichever group got there first.

extern "C" __global__ void divergent_loop_then_collectives(const int *trips, unsigned *out)
{
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    int n = trips[t];
    unsigned acc = t;
    for (int i = 0; i < n; i++) {
        acc = acc * 1664525u + 1013904223u;
    }
    unsigned sum = acc;
    for (int o = 16; o > 0; o >>= 1) {
        sum += __shfl_xor_sync(0xffffffffu, sum, o);
    }
    unsigned odd = __ballot_sync(0xffffffffu, acc & 1);
    __syncwarp();
    out[2 * t] = sum;
    out[2 * t + 1] = odd;
}
