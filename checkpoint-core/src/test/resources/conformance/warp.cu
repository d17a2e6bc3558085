// Warp-level primitives: shuffles (idx, up, down, xor; full and partial widths), votes (all,
// any, uni, ballot), activemask in converged and divergent code, match.any / match.all, and
// __syncwarp. Lanes must observe each other's values as on hardware.

#define WARP_RESULTS 20

extern "C" __global__ void warp_ops(const int *in, unsigned *out)
{
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    int lane = threadIdx.x & 31;
    int v = in[t];
    unsigned full = 0xffffffffu;
    unsigned *o = out + t * WARP_RESULTS;
    o[0] = __shfl_sync(full, v, (lane * 7 + 3) & 31);
    o[1] = __shfl_up_sync(full, v, 3);
    o[2] = __shfl_down_sync(full, v, 5);
    o[3] = __shfl_xor_sync(full, v, 9);
    o[4] = __shfl_sync(full, v, lane + 2, 8);          // within groups of 8 lanes
    o[5] = __shfl_up_sync(full, v, 1, 16);
    o[6] = __shfl_down_sync(full, v, 2, 4);
    o[7] = __shfl_xor_sync(full, v, 1, 2);
    o[8] = __shfl_sync(full, __int_as_float(v) * 0.5f, 31 - lane) == 0.0f;
    o[9] = __all_sync(full, v > 0);
    o[10] = __any_sync(full, v % 97 == 0);
    o[11] = __uni_sync(full, (v & 0x100) != 0);
    o[12] = __ballot_sync(full, v & 1);
    o[13] = __activemask();
    if (v & 2) {
        o[14] = __activemask();
        o[15] = __ballot_sync(__activemask(), v & 4);
    } else {
        o[14] = 0xdeadu;
        o[15] = 0xbeefu;
    }
    o[16] = __match_any_sync(full, v & 3);
    int pred;
    o[17] = __match_all_sync(full, v >> 28, &pred);
    o[18] = pred;
    __syncwarp();
    // Shuffle a 64-bit value (two 32-bit shuffles) around the warp.
    long long wide = ((long long) v << 32) | (unsigned) lane;
    o[19] = (unsigned) (__shfl_sync(full, wide, (lane + 1) & 31) >> 32);
}

// Only some lanes take part: a shuffle among the even lanes and a ballot over a partial mask.
extern "C" __global__ void partial_warp(const int *in, unsigned *out)
{
    int lane = threadIdx.x & 31;
    int v = in[threadIdx.x];
    unsigned even = 0x55555555u;
    unsigned *o = out + threadIdx.x * 3;
    o[0] = o[1] = o[2] = 0xffffffffu;
    if ((lane & 1) == 0) {
        o[0] = __shfl_sync(even, v, (lane + 2) & 31);
        o[1] = __ballot_sync(even, v > 0);
        o[2] = __activemask();
    }
}

// Lanes leave a loop at different iterations (lane % 5 + 1 trips): inside the loop the active
// mask shrinks, and collectives over __activemask() see only the lanes still in it; after the
// loop the whole warp votes together again.
extern "C" __global__ void divergent_loop_collectives(const int *in, unsigned *out)
{
    int lane = threadIdx.x & 31;
    int v = in[threadIdx.x];
    int trips = lane % 5 + 1;
    unsigned acc = 0, last_mask = 0;
#pragma unroll 1   // one loop in the PTX too: which lanes run together must follow the source loop
    for (int k = 0; k < trips; k++) {
        unsigned m = __activemask();
        int leader = __ffs(m) - 1;
        int from_leader = __shfl_sync(m, v + k, leader);
        unsigned votes = __ballot_sync(m, (v >> k) & 1);
        acc += (unsigned) from_leader ^ votes;
        last_mask = m;
    }
    __syncwarp();
    out[3 * threadIdx.x] = acc;
    out[3 * threadIdx.x + 1] = last_mask;
    out[3 * threadIdx.x + 2] = __ballot_sync(0xffffffffu, acc & 1);   // the whole warp again
}
