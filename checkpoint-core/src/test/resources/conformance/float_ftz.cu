// nvcc-flags: -ftz=true
// Single precision with flush-to-zero: every f32 instruction carries .ftz, so subnormal
// inputs are read as zero of the same sign and subnormal results are written as zero.

#define FTZ_RESULTS 10

extern "C" __global__ void f32_ftz(const float *a, const float *b, float *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float x = a[i], y = b[i];
    float *o = out + i * FTZ_RESULTS;
    o[0] = __fadd_rn(x, y);
    o[1] = __fmul_rn(x, y);
    o[2] = __fmul_rz(x, 0.75f);
    o[3] = __fmaf_rn(x, y, y);
    o[4] = __fsqrt_rn(fabsf(x));
    o[5] = fminf(x, y);
    o[6] = fmaxf(x, y);
    o[7] = __fdiv_rn(x, 3.0f);
    o[8] = __saturatef(x * 1.0e30f);
    o[9] = x == 0.0f ? 1.0f : 0.0f;   // setp.eq.ftz: a subnormal compares equal to zero
}
