// State spaces: static and dynamic shared memory, local memory (an indexed array), constant
// memory written by the host through the module global, an initialised constant table, a
// module-scope global variable, and generic pointers resolved at run time (cvta, isspacep).

#define TILE 128

// Reverses each block's slice through a static shared array.
extern "C" __global__ void shared_reverse(const int *in, int *out)
{
    __shared__ int tile[TILE];
    int t = threadIdx.x;
    int base = blockIdx.x * TILE;
    tile[t] = in[base + t];
    __syncthreads();
    out[base + t] = tile[TILE - 1 - t] * 2 + t;
}

// Dynamic shared memory sized by the launch (2 * blockDim.x floats) plus a static array: the
// dynamic part must not overlap the static one.
extern "C" __global__ void shared_dynamic(const float *in, float *out)
{
    extern __shared__ float dyn[];
    __shared__ float stat[32];
    int t = threadIdx.x, nt = blockDim.x;
    int g = blockIdx.x * nt + t;
    if (t < 32) stat[t] = -1.0f * t;
    dyn[t] = in[g];
    dyn[nt + t] = in[g] * 10.0f;
    __syncthreads();
    out[g] = dyn[nt - 1 - t] + dyn[2 * nt - 1 - t] + stat[t % 32];
}

// A per-thread array indexed with data-dependent indices lives in .local memory.
extern "C" __global__ void local_array(const int *idx, int *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    volatile int scratch[48];
    for (int k = 0; k < 48; k++) scratch[k] = k * k + i;
    int acc = 0;
    for (int k = 0; k < 8; k++) {
        int j = idx[i * 8 + k] % 48;
        scratch[j] += k + 1;
        acc += scratch[(j * 7 + k) % 48];
    }
    out[i] = acc;
}

__constant__ float coeffs[8];                       // written by the host
__constant__ int offsets[4] = {3, -5, 1000, 7};     // initialised in the module
__device__ unsigned long long launches = 40;        // module global with an initial value

// Evaluates a polynomial with constant-memory coefficients.
extern "C" __global__ void const_poly(const float *x, float *y, int *z, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i == 0) atomicAdd(&launches, 2ull);
    if (i >= n) return;
    float v = x[i], acc = 0.0f;
    for (int k = 7; k >= 0; k--) acc = __fmaf_rn(acc, v, coeffs[k]);
    y[i] = acc;
    z[i] = offsets[i & 3] * (i + 1);
}

__device__ __noinline__ int load_generic(const int *p, int k)
{
    return p[k] + (__isShared(p) ? 1000 : 0) + (__isGlobal(p) ? 2000 : 0) + (__isLocal(p) ? 4000 : 0);
}

// One device function reads through generic pointers to global, shared and local memory.
extern "C" __global__ void generic_pointers(const int *in, int *out)
{
    __shared__ int sh[64];
    int local[4];
    int t = threadIdx.x;
    sh[t] = in[t] * 3;
    for (int k = 0; k < 4; k++) local[k] = in[t] + k;
    __syncthreads();
    out[3 * t] = load_generic(in, t);
    out[3 * t + 1] = load_generic(sh, 63 - t);
    out[3 * t + 2] = load_generic(local, t & 3);
}

// Vector loads and stores: v2 and v4 of f32, v4 of s32, v2 of f64, and a read-only __ldg.
extern "C" __global__ void vectors(const float4 *f4, const float2 *f2, const int4 *i4,
                                   const double2 *d2, float4 *of4, float2 *of2, int4 *oi4,
                                   double2 *od2, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float4 a = f4[i];
    float2 b = f2[i];
    int4 c = __ldg(&i4[i]);
    double2 d = d2[i];
    of4[i] = make_float4(a.w + b.x, a.z * b.y, a.y - 1.0f, a.x);
    of2[i] = make_float2(b.y, b.x + a.x);
    oi4[i] = make_int4(c.y ^ c.z, c.x + c.w, c.z, c.w - c.x);
    od2[i] = make_double2(d.y * 2.0, d.x + d.y);
}

// A large per-thread local array (8 KB per thread), indexed with data-dependent indices.
extern "C" __global__ void big_local(const int *seed, int *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    volatile int buf[2048];
    unsigned s = (unsigned) seed[i];
    for (int k = 0; k < 2048; k++) buf[k] = k ^ i;
    int acc = 0;
    for (int k = 0; k < 64; k++) {
        s = s * 1664525u + 1013904223u;
        int j = (int) (s >> 21);          // 0..2047
        buf[j] += k;
        acc += buf[(j * 5 + 3) & 2047];
    }
    out[i] = acc;
}
