// Integer arithmetic, 32 and 64 bit, signed and unsigned: add/sub/mul (lo, hi, wide), mad,
// mul24, sad, div/rem, shifts, min/max, abs, neg, logic. One thread per input triple; each
// thread writes its results to a row of the output.

#define INT32_RESULTS 28
#define INT64_RESULTS 24

extern "C" __global__ void int32_arith(const int *a, const int *b, const int *c, int *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int x = a[i], y = b[i], z = c[i];
    unsigned ux = x, uy = y, uz = z;
    int *o = out + i * INT32_RESULTS;
    o[0] = x + y;
    o[1] = x - y;
    o[2] = x * y;
    o[3] = __mulhi(x, y);
    o[4] = (int) __umulhi(ux, uy);
    o[5] = x * y + z;
    asm("mul24.lo.s32 %0, %1, %2;" : "=r"(o[6]) : "r"(x), "r"(y));
    asm("mul24.hi.u32 %0, %1, %2;" : "=r"(o[7]) : "r"(ux), "r"(uy));
    o[8] = (int) __sad(x, y, uz);
    o[9] = y != 0 ? x / y : 0;
    o[10] = y != 0 ? x % y : 0;
    o[11] = uy != 0 ? (int) (ux / uy) : 0;
    o[12] = uy != 0 ? (int) (ux % uy) : 0;
    o[13] = x << (z & 31);
    o[14] = x >> (z & 31);
    o[15] = (int) (ux >> (z & 31));
    o[16] = min(x, y);
    o[17] = max(x, y);
    o[18] = (int) min(ux, uy);
    o[19] = (int) max(ux, uy);
    o[20] = abs(x);
    o[21] = -x;
    o[22] = x & y;
    o[23] = x | y;
    o[24] = x ^ y;
    o[25] = ~x;
    o[26] = !x;
    o[27] = (int) (ux * uy + uz);
}

// Wide multiplies and 64-bit arithmetic. Each thread writes INT64_RESULTS longs.
extern "C" __global__ void int64_arith(const long long *a, const long long *b, const int *s32,
                                       long long *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    long long x = a[i], y = b[i];
    unsigned long long ux = x, uy = y;
    int p = s32[2 * i], q = s32[2 * i + 1];
    long long *o = out + i * INT64_RESULTS;
    o[0] = (long long) p * q;                          // mul.wide.s32
    o[1] = (long long) ((unsigned long long) (unsigned) p * (unsigned) q); // mul.wide.u32
    o[2] = x + y;
    o[3] = x - y;
    o[4] = x * y;
    o[5] = __mul64hi(x, y);
    o[6] = (long long) __umul64hi(ux, uy);
    o[7] = x * y + (long long) p;
    o[8] = y != 0 ? x / y : 0;
    o[9] = y != 0 ? x % y : 0;
    o[10] = uy != 0 ? (long long) (ux / uy) : 0;
    o[11] = uy != 0 ? (long long) (ux % uy) : 0;
    o[12] = x << (q & 63);
    o[13] = x >> (q & 63);
    o[14] = (long long) (ux >> (q & 63));
    o[15] = min(x, y);
    o[16] = max(x, y);
    o[17] = (long long) min(ux, uy);
    o[18] = (long long) max(ux, uy);
    o[19] = llabs(x);
    o[20] = -x;
    asm("mad.lo.s64 %0, %1, %2, %3;" : "=l"(o[21]) : "l"(x), "l"(y), "l"((long long) q));
    asm("mad.hi.u64 %0, %1, %2, %3;" : "=l"(o[22]) : "l"(ux), "l"(uy), "l"((long long) p));
    asm("mad.wide.s32 %0, %1, %2, %3;" : "=l"(o[23]) : "r"(p), "r"(q), "l"(x));
}

// Integer division by zero: PTX leaves the quotient and remainder unspecified, but the kernel
// must run on (no trap); it marks its completion in out[6].
extern "C" __global__ void divide_by_zero(int *out, int zero)
{
    out[0] = 7 / zero;
    out[1] = (int) (7u / (unsigned) zero);
    out[2] = -7 % zero;
    out[3] = (int) (7ll / (long long) zero);
    out[4] = (int) (7ull % (unsigned long long) zero);
    out[5] = zero;
    out[6] = 123;
}
