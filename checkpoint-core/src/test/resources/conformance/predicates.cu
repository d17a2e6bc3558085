// Comparisons and predicates: setp with every integer and float comparison (ordered and
// unordered, NaN included), selp, set (mask and float results), predicate logic and
// instructions guarded by @p / @!p.

#define CMP_RESULTS 32

extern "C" __global__ void compare(const int *a, const int *b, const float *fa, const float *fb,
                                   unsigned *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int x = a[i], y = b[i];
    unsigned ux = x, uy = y;
    float f = fa[i], g = fb[i];
    unsigned *o = out + i * CMP_RESULTS;
    o[0] = x == y; o[1] = x != y; o[2] = x < y; o[3] = x <= y; o[4] = x > y; o[5] = x >= y;
    o[6] = ux < uy; o[7] = ux <= uy; o[8] = ux > uy; o[9] = ux >= uy;
    o[10] = f == g; o[11] = f != g; o[12] = f < g; o[13] = f <= g; o[14] = f > g; o[15] = f >= g;
    o[16] = !(f < g); o[17] = !(f >= g);       // unordered forms: true when either is NaN
    o[18] = isnan(f); o[19] = isinf(g); o[20] = isfinite(f);
    o[21] = x < y ? ux * 3u : uy + 7u;          // selp
    unsigned m;
    asm("set.lt.u32.s32 %0, %1, %2;" : "=r"(m) : "r"(x), "r"(y));       o[22] = m;
    asm("set.gtu.u32.f32 %0, %1, %2;" : "=r"(m) : "f"(f), "f"(g));      o[23] = m;
    float one;
    asm("set.le.f32.f32 %0, %1, %2;" : "=f"(one) : "f"(f), "f"(g));     o[24] = __float_as_uint(one);
    asm("{ .reg .pred p, q;\n\t"
        "setp.lt.s32 p|q, %1, %2;\n\t"
        "@p  mov.u32 %0, 1;\n\t"
        "@q  mov.u32 %0, 2;\n\t}" : "=r"(m) : "r"(x), "r"(y));           o[25] = m;
    asm("{ .reg .pred p, q, r;\n\t"
        "setp.gt.s32 p, %1, 0;\n\t"
        "setp.gt.s32 q, %2, 0;\n\t"
        "and.pred r, p, q;\n\t"
        "mov.u32 %0, 0;\n\t"
        "@r  or.b32 %0, %0, 1;\n\t"
        "or.pred r, p, q;\n\t"
        "@!r or.b32 %0, %0, 2;\n\t"
        "xor.pred r, p, q;\n\t"
        "@r  or.b32 %0, %0, 4;\n\t"
        "not.pred r, p;\n\t"
        "@r  or.b32 %0, %0, 8;\n\t}" : "=r"(m) : "r"(x), "r"(y));          o[26] = m;
    asm("{ .reg .pred p;\n\t"
        "setp.lt.s32 p, %2, 0;\n\t"
        "setp.gt.and.s32 p, %1, %2, p;\n\t"
        "selp.u32 %0, 1, 0, p;\n\t}" : "=r"(m) : "r"(x), "r"(y));          o[27] = m;
    asm("{ .reg .pred p;\n\t"
        "setp.nan.f32 p, %1, %2;\n\t"
        "selp.u32 %0, 1, 0, p;\n\t}" : "=r"(m) : "f"(f), "f"(g));          o[28] = m;
    asm("{ .reg .pred p;\n\t"
        "setp.num.f32 p, %1, %2;\n\t"
        "selp.u32 %0, 1, 0, p;\n\t}" : "=r"(m) : "f"(f), "f"(g));          o[29] = m;
    o[30] = (long long) x * y > 1000000 ? 1u : 0u;
    o[31] = (x & 1) ? __float_as_uint(f + g) : __float_as_uint(f - g);
}
