// Loads and stores with cache operators (__ldcg, __ldcs, __ldlu, __ldcv, __ldca, __stcg,
// __stcs, __stwb, __stwt) and an L2 prefetch: hints only, the values are those of plain
// loads and stores.

extern "C" __global__ void cache_hints(const float *in, const float4 *in4, float *out, float4 *out4, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    asm volatile("prefetch.global.L2 [%0];" :: "l"(in + i));
    float a = __ldcg(in + i), b = __ldcs(in + i), c = __ldlu(in + i), d = __ldcv(in + i), e = __ldca(in + i);
    float4 v = __ldcs(in4 + i);
    __stcg(out + 5 * i, a + 1.0f);
    __stcs(out + 5 * i + 1, b * 2.0f);
    __stwb(out + 5 * i + 2, c - 3.0f);
    __stwt(out + 5 * i + 3, -d);
    out[5 * i + 4] = e;
    __stcs(out4 + i, make_float4(v.w, v.z, v.y, v.x));
}
