// IEEE operations with an explicit rounding mode (rn, rz, rm, rp), single and double:
// add, sub, mul, div, fma, rcp, sqrt. Every one of these is correctly rounded, so the results
// must match the reference bit for bit. Without -ftz, subnormals are kept.

#define F32_RESULTS 28
#define F64_RESULTS 28

extern "C" __global__ void f32_rounding(const float *a, const float *b, const float *c,
                                        float *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float x = a[i], y = b[i], z = c[i];
    float *o = out + i * F32_RESULTS;
    o[0] = __fadd_rn(x, y);  o[1] = __fadd_rz(x, y);  o[2] = __fadd_rd(x, y);  o[3] = __fadd_ru(x, y);
    o[4] = __fsub_rn(x, y);  o[5] = __fsub_rz(x, y);  o[6] = __fsub_rd(x, y);  o[7] = __fsub_ru(x, y);
    o[8] = __fmul_rn(x, y);  o[9] = __fmul_rz(x, y);  o[10] = __fmul_rd(x, y); o[11] = __fmul_ru(x, y);
    o[12] = __fdiv_rn(x, y); o[13] = __fdiv_rz(x, y); o[14] = __fdiv_rd(x, y); o[15] = __fdiv_ru(x, y);
    o[16] = __fmaf_rn(x, y, z); o[17] = __fmaf_rz(x, y, z); o[18] = __fmaf_rd(x, y, z); o[19] = __fmaf_ru(x, y, z);
    o[20] = __frcp_rn(x);    o[21] = __frcp_rz(x);    o[22] = __frcp_rd(x);    o[23] = __frcp_ru(x);
    float m = fabsf(x);
    o[24] = __fsqrt_rn(m);   o[25] = __fsqrt_rz(m);   o[26] = __fsqrt_rd(m);   o[27] = __fsqrt_ru(m);
}

extern "C" __global__ void f64_rounding(const double *a, const double *b, const double *c,
                                        double *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    double x = a[i], y = b[i], z = c[i];
    double *o = out + i * F64_RESULTS;
    o[0] = __dadd_rn(x, y);  o[1] = __dadd_rz(x, y);  o[2] = __dadd_rd(x, y);  o[3] = __dadd_ru(x, y);
    o[4] = __dsub_rn(x, y);  o[5] = __dsub_rz(x, y);  o[6] = __dsub_rd(x, y);  o[7] = __dsub_ru(x, y);
    o[8] = __dmul_rn(x, y);  o[9] = __dmul_rz(x, y);  o[10] = __dmul_rd(x, y); o[11] = __dmul_ru(x, y);
    o[12] = __ddiv_rn(x, y); o[13] = __ddiv_rz(x, y); o[14] = __ddiv_rd(x, y); o[15] = __ddiv_ru(x, y);
    o[16] = __fma_rn(x, y, z); o[17] = __fma_rz(x, y, z); o[18] = __fma_rd(x, y, z); o[19] = __fma_ru(x, y, z);
    o[20] = __drcp_rn(x);    o[21] = __drcp_rz(x);    o[22] = __drcp_rd(x);    o[23] = __drcp_ru(x);
    double m = fabs(x);
    o[24] = __dsqrt_rn(m);   o[25] = __dsqrt_rz(m);   o[26] = __dsqrt_rd(m);   o[27] = __dsqrt_ru(m);
}
