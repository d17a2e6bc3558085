// Kernels of the emulator's own interpreter tests (KernelExecutionTest).
// Regenerate the PTX beside it with: nvcc -ptx -arch=sm_90 kernels.cu -o kernels.ptx

#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <cuda_pipeline.h>

extern "C" {

__global__ void reduceSum(const float* in, float* out, int n) {
    extern __shared__ float partial[];
    int tid = threadIdx.x;
    float v = 0;
    for (int i = blockIdx.x * blockDim.x + tid; i < n; i += blockDim.x * gridDim.x) {
        v += in[i];
    }
    partial[tid] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s >= 32; s >>= 1) {
        if (tid < s) {
            partial[tid] += partial[tid + s];
        }
        __syncthreads();
    }
    if (tid < 32) {
        v = partial[tid];
        for (int o = 16; o > 0; o >>= 1) {
            v += __shfl_down_sync(0xffffffff, v, o);
        }
        if (tid == 0) {
            atomicAdd(out, v);
        }
    }
}

__device__ __noinline__ int mix(int a, int b) {
    int table[8];
    for (int i = 0; i < 8; i++) {
        table[i] = a * i + b;
    }
    return table[(a + b) & 7] ^ (a >> 3);
}

__global__ void bits(const unsigned* in, unsigned* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) {
        return;
    }
    unsigned x = in[i];
    unsigned y = in[(i + 1) % n];
    out[8 * i + 0] = __popc(x) + (__clz(x) << 8);
    out[8 * i + 1] = __brev(x);
    out[8 * i + 2] = __byte_perm(x, y, 0x5140);
    out[8 * i + 3] = __funnelshift_l(x, y, i & 31);
    out[8 * i + 4] = __umulhi(x, y);
    out[8 * i + 5] = (unsigned) mix((int) x, (int) y);
    out[8 * i + 6] = (unsigned) (((long long) (int) x * (int) y) >> 17);
    out[8 * i + 7] = (x / (y | 1)) + (x % (y | 1)) + (unsigned) ((int) x / -3);
}

__global__ void divergent(int* out) {
    int t = threadIdx.x;
    int s = 0;
    for (int i = 0; i < t % 7; i++) {
        s += i * t;
    }
    if (t & 1) {
        s = -s;
    } else if (t % 4 == 0) {
        s += 1000;
    }
    unsigned ballot = __ballot_sync(0xffffffff, s > 10);
    out[t] = s;
    out[blockDim.x + t] = (int) ballot;
}

__global__ void histogram(const unsigned char* data, unsigned* bins, int n) {
    __shared__ unsigned local[256];
    for (int b = threadIdx.x; b < 256; b += blockDim.x) {
        local[b] = 0;
    }
    __syncthreads();
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        atomicAdd(&local[data[i]], 1u);
    }
    __syncthreads();
    for (int b = threadIdx.x; b < 256; b += blockDim.x) {
        atomicAdd(&bins[b], local[b]);
    }
}

__global__ void blockScan(const int* in, int* out) {
    __shared__ int warpSums[32];
    int t = threadIdx.x;
    int lane = t & 31;
    int warp = t >> 5;
    int v = in[blockIdx.x * blockDim.x + t];
    for (int o = 1; o < 32; o <<= 1) {
        int up = __shfl_up_sync(0xffffffff, v, o);
        if (lane >= o) {
            v += up;
        }
    }
    if (lane == 31) {
        warpSums[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        int w = lane < blockDim.x / 32 ? warpSums[lane] : 0;
        for (int o = 1; o < 32; o <<= 1) {
            int up = __shfl_up_sync(0xffffffff, w, o);
            if (lane >= o) {
                w += up;
            }
        }
        warpSums[lane] = w;
    }
    __syncthreads();
    if (warp > 0) {
        v += warpSums[warp - 1];
    }
    out[blockIdx.x * blockDim.x + t] = v;
}

#define TILE 16
__global__ void matmul(const float* a, const float* b, float* c, int n) {
    __shared__ float ta[TILE][TILE];
    __shared__ float tb[TILE][TILE];
    int row = blockIdx.y * TILE + threadIdx.y;
    int col = blockIdx.x * TILE + threadIdx.x;
    float acc = 0;
    for (int k0 = 0; k0 < n; k0 += TILE) {
        ta[threadIdx.y][threadIdx.x] = a[row * n + k0 + threadIdx.x];
        tb[threadIdx.y][threadIdx.x] = b[(k0 + threadIdx.y) * n + col];
        __syncthreads();
        for (int k = 0; k < TILE; k++) {
            acc += ta[threadIdx.y][k] * tb[k][threadIdx.x];
        }
        __syncthreads();
    }
    c[row * n + col] = acc;
}

__global__ void readPastEnd(const float* in, float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    out[i] = in[i + n];
}

__global__ void atomics(int* counters, unsigned long long* wide, double* dsum) {
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    atomicAdd(&counters[0], 1);
    atomicMin(&counters[1], -t);
    atomicMax(&counters[2], t);
    atomicAnd(&counters[3], ~(1 << (t & 31)));
    atomicOr(&counters[4], 1 << (t & 31));
    atomicXor(&counters[5], t);
    atomicInc((unsigned*) &counters[6], 100u);
    atomicDec((unsigned*) &counters[7], 1000u);
    atomicAdd(&wide[0], (unsigned long long) t << 33);
    unsigned long long seen = wide[1];
    while (true) {
        unsigned long long prev = atomicCAS(&wide[1], seen, seen + t);
        if (prev == seen) {
            break;
        }
        seen = prev;
    }
    atomicAdd(dsum, 0.5 * t);
    atomicExch(&counters[8], 7);
}

__global__ void warpOps(const int* in, int* out) {
    int t = threadIdx.x;
    int v = in[t];
    out[6 * t + 0] = (int) __match_any_sync(0xffffffff, v % 4);
    out[6 * t + 1] = __reduce_add_sync(0xffffffff, v);
    out[6 * t + 2] = __shfl_xor_sync(0xffffffff, v, 5);
    out[6 * t + 3] = __shfl_sync(0xffffffff, v, (t * 7) & 31);
    out[6 * t + 4] = (t & 1) ? (int) __activemask() : -1;
    out[6 * t + 5] = __all_sync(0xffffffff, v >= 0) + 2 * __any_sync(0xffffffff, v == 3) + 4 * __syncthreads_count(v > 5);
}

__global__ void floats(const float* in, float* outf, double* outd, int* outi, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) {
        return;
    }
    float x = in[i];
    outf[4 * i + 0] = fminf(x, 0.5f) + fmaxf(x, -2.0f) + fabsf(x);
    outf[4 * i + 1] = __fmaf_rn(x, 3.0f, -1.0f) / (x * x + 1.0f);
    outf[4 * i + 2] = sqrtf(fabsf(x)) + rsqrtf(fabsf(x) + 1.0f) * 0.0f;
    outf[4 * i + 3] = __saturatef(x);
    double d = (double) x;
    outd[2 * i + 0] = d * d - 3.0 / (d + 10.0);
    outd[2 * i + 1] = sqrt(fabs(d)) + (double) (long long) (d * 1e6);
    outi[3 * i + 0] = __float2int_rn(x * 10.0f);
    outi[3 * i + 1] = (int) (x * 10.0f);
    outi[3 * i + 2] = (int) __float2uint_rd(x * 10.0f);
}

__global__ void halves(const __half* a, const __half* b, __half* c, __half2* pairs, __nv_bfloat16* brain,
                       int* flags, int n) {
    int i = threadIdx.x;
    if (i >= n) {
        return;
    }
    c[i] = __hfma(a[i], b[i], __hadd(a[i], __float2half(1.0f)));
    pairs[i] = __hmul2(pairs[i], __halves2half2(a[i], b[i]));
    brain[i] = __hmul(brain[i], __float2bfloat16(2.0f));
    flags[i] = __hlt(a[i], b[i]) + 2 * __hgt(a[i], b[i]);
}

__global__ void warpExchange(int* out) {
    __shared__ int slots[32];
    int lane = threadIdx.x;
    if (lane < 16) {
        slots[lane] = lane * 3;
    } else {
        slots[lane] = -lane;
    }
    __syncwarp();
    out[lane] = slots[lane ^ 16] + warpSize * 1000;
}

__global__ void staged(const float4* in, float* out) {
    __shared__ float4 buffer[64];
    int t = threadIdx.x;
    __pipeline_memcpy_async(&buffer[t], &in[blockIdx.x * 64 + t], sizeof(float4));
    __pipeline_commit();
    __pipeline_wait_prior(0);
    __syncthreads();
    float4 v = buffer[63 - t];
    out[blockIdx.x * 64 + t] = v.x + v.y + v.z + v.w;
}

__global__ void dots(const int* a, const int* b, int* out) {
    int t = threadIdx.x;
    out[3 * t] = __dp4a(a[t], b[t], t);
    out[3 * t + 1] = (int) __dp4a((unsigned) a[t], (unsigned) b[t], (unsigned) t);
    out[3 * t + 2] = __dp2a_lo(a[t], b[t], 7) + __dp2a_hi(a[t], b[t], 0);
}

}
