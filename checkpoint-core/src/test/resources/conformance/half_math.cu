// Half-precision arithmetic (add/sub/mul/min/max/neg in .f16 and .f16x2, comparisons), as ML
// kernels use it. Not in issue 3's list: a backend runs it correctly or refuses the module by
// naming the instruction.
#include <cuda_fp16.h>

extern "C" __global__ void half_ops(const unsigned short *a, const unsigned short *b, unsigned short *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    __half x = __ushort_as_half(a[i]), y = __ushort_as_half(b[i]);
    __half2 xy = __halves2half2(x, y), yx = __halves2half2(y, x);
    unsigned short *o = out + 10 * i;
    o[0] = __half_as_ushort(__hadd(x, y));
    o[1] = __half_as_ushort(__hsub(x, y));
    o[2] = __half_as_ushort(__hmul(x, y));
    o[3] = __half_as_ushort(__hmin(x, y));
    o[4] = __half_as_ushort(__hmax(x, y));
    o[5] = __half_as_ushort(__hneg(x));
    o[6] = __hlt(x, y) ? 1 : 0;
    __half2 s = __hadd2(xy, yx), p = __hmul2(xy, yx);
    o[7] = __half_as_ushort(__low2half(s));
    o[8] = __half_as_ushort(__high2half(p));
    o[9] = __half_as_ushort(__hsub2(xy, yx).x);
}
