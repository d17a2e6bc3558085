// Atomics on global memory, every operation and width, with results whose final value does
// not depend on the order threads run in; returned old values are recorded so the host can
// check that each thread saw a distinct state (a ticket counter).

struct Counters {
    int add_i; unsigned add_u; unsigned long long add_ull; float add_f; double add_d;
    int min_i; int max_i; unsigned min_u; unsigned max_u; long long min_ll; long long max_ll;
    unsigned long long max_ull; unsigned and_u; unsigned or_u; unsigned xor_u;
    unsigned long long and_ull; unsigned long long or_ull; unsigned long long xor_ull;
    unsigned inc_u; unsigned dec_u; int exch_i; unsigned long long exch_ull;
    int cas_counter; unsigned long long cas_ull; int cas_max; unsigned red_u;
};

extern "C" __global__ void global_atomics(const int *in, struct Counters *c, int *tickets,
                                          int *exch_old, int n, unsigned limit)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int v = in[i];
    tickets[i] = atomicAdd(&c->add_i, 1);
    atomicAdd(&c->add_u, (unsigned) v);
    atomicAdd(&c->add_ull, (unsigned long long) (unsigned) v << 20);
    atomicAdd(&c->add_f, (float) (v & 255) * 0.25f);     // exact in any order
    atomicAdd(&c->add_d, (double) v * 0.5);             // exact in any order
    atomicMin(&c->min_i, v);
    atomicMax(&c->max_i, v);
    atomicMin(&c->min_u, (unsigned) v);
    atomicMax(&c->max_u, (unsigned) v);
    atomicMin(&c->min_ll, (long long) v * 100000);
    atomicMax(&c->max_ll, (long long) v * 100000);
    atomicMax(&c->max_ull, (unsigned long long) (unsigned) v * 3);
    atomicAnd(&c->and_u, ~(1u << (i & 31)) | (unsigned) v);
    atomicOr(&c->or_u, (unsigned) v & 0xF0F0F0F0u);
    atomicXor(&c->xor_u, (unsigned) v);
    atomicAnd(&c->and_ull, ~(1ull << (i & 63)));
    atomicOr(&c->or_ull, 1ull << (v & 63));
    atomicXor(&c->xor_ull, (unsigned long long) v << 32);
    atomicInc(&c->inc_u, limit);
    atomicDec(&c->dec_u, limit);
    exch_old[i] = atomicExch(&c->exch_i, i + 1);
    atomicExch(&c->exch_ull, 0xABCD000000000000ull);
    asm volatile("red.global.add.u32 [%0], %1;" :: "l"(&c->red_u), "r"((unsigned) v) : "memory");
    // Lock-free counter and lock-free maximum through compare-and-swap loops.
    int old = c->cas_counter, seen;
    while ((seen = atomicCAS(&c->cas_counter, old, old + 1)) != old) old = seen;
    unsigned long long o64 = c->cas_ull, s64;
    while ((s64 = atomicCAS(&c->cas_ull, o64, o64 + (unsigned) v)) != o64) o64 = s64;
    int cur = c->cas_max;
    while (v > cur) {
        int prev = atomicCAS(&c->cas_max, cur, v);
        if (prev == cur) break;
        cur = prev;
    }
}

// Histogram with shared-memory atomics, merged into the global histogram with global atomics.
extern "C" __global__ void histogram(const unsigned char *data, unsigned *bins, int n)
{
    __shared__ unsigned local[256];
    for (int b = threadIdx.x; b < 256; b += blockDim.x) local[b] = 0;
    __syncthreads();
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
        atomicAdd(&local[data[i]], 1u);
    __syncthreads();
    for (int b = threadIdx.x; b < 256; b += blockDim.x)
        if (local[b] != 0) atomicAdd(&bins[b], local[b]);
}

// Shared-memory atomics of other kinds: min/max/exch/cas/and/or/xor/inc on shared words,
// with the block's final shared values written out by thread 0.
extern "C" __global__ void shared_atomics(const int *in, int *out)
{
    __shared__ int s_min, s_max, s_cas, s_exch;
    __shared__ unsigned s_and, s_or, s_xor, s_inc;
    __shared__ unsigned long long s_add64;
    __shared__ float s_addf;
    int t = threadIdx.x;
    int v = in[blockIdx.x * blockDim.x + t];
    if (t == 0) {
        s_min = 0x7fffffff; s_max = (int) 0x80000000; s_cas = 0; s_exch = -1;
        s_and = 0xffffffffu; s_or = 0; s_xor = 0; s_inc = 0; s_add64 = 0; s_addf = 0.0f;
    }
    __syncthreads();
    atomicMin(&s_min, v);
    atomicMax(&s_max, v);
    atomicAnd(&s_and, (unsigned) v | 0x0F0F0F0Fu);
    atomicOr(&s_or, (unsigned) v & 0x00FF00FFu);
    atomicXor(&s_xor, (unsigned) v);
    atomicInc(&s_inc, 10u);
    atomicAdd(&s_add64, (unsigned long long) (unsigned) v);
    atomicAdd(&s_addf, (float) (v & 7));
    atomicExch(&s_exch, t);
    __threadfence_block();
    asm volatile("fence.acq_rel.cta;" ::: "memory");
    int old = s_cas, seen;
    while ((seen = atomicCAS(&s_cas, old, old + t)) != old) old = seen;
    __syncthreads();
    if (t == 0) {
        int *o = out + blockIdx.x * 12;
        o[0] = s_min; o[1] = s_max; o[2] = (int) s_and; o[3] = (int) s_or; o[4] = (int) s_xor;
        o[5] = (int) s_inc; o[6] = (int) s_add64; o[7] = (int) (s_add64 >> 32);
        o[8] = __float_as_int(s_addf); o[9] = s_exch; o[10] = s_cas; o[11] = blockDim.x;
    }
}

// __threadfence: each block publishes a partial sum, fences, takes a ticket; the last block
// to arrive sums the partials (the classic single-pass reduction).
extern "C" __global__ void fenced_sum(const int *in, int *partials, unsigned *arrived, int *total)
{
    __shared__ int sum;
    __shared__ bool last;
    int t = threadIdx.x;
    if (t == 0) sum = 0;
    __syncthreads();
    atomicAdd(&sum, in[blockIdx.x * blockDim.x + t]);
    __syncthreads();
    if (t == 0) {
        partials[blockIdx.x] = sum;
        __threadfence();
        unsigned ticket = atomicInc(arrived, gridDim.x);
        last = ticket == gridDim.x - 1;
    }
    __syncthreads();
    if (last && t == 0) {
        int s = 0;
        for (int b = 0; b < gridDim.x; b++) s += ((volatile int *) partials)[b];
        *total = s;
    }
}
