// cvt between types: float/double to integers of every width with each rounding mode and
// saturation (out-of-range values clamp, NaN gives 0), integers to float/double with each
// rounding mode, double to float with each rounding mode, half and bfloat16, rounding to
// integral values, integer narrowing and widening.
#include <cuda_fp16.h>
#include <cuda_bf16.h>

#define F2I_RESULTS 24
#define I2F_RESULTS 20

// From one float f and one double d per thread; integer results as 64-bit two's complement.
extern "C" __global__ void float_to_int(const float *fs, const double *ds, long long *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float f = fs[i];
    double d = ds[i];
    long long *o = out + i * F2I_RESULTS;
    o[0] = __float2int_rn(f);   o[1] = __float2int_rz(f);   o[2] = __float2int_rd(f);   o[3] = __float2int_ru(f);
    o[4] = __float2uint_rn(f);  o[5] = __float2uint_rz(f);  o[6] = __float2uint_rd(f);  o[7] = __float2uint_ru(f);
    o[8] = __float2ll_rn(f);    o[9] = __float2ll_rz(f);    o[10] = __float2ll_rd(f);   o[11] = __float2ll_ru(f);
    o[12] = (long long) __float2ull_rz(f);
    o[13] = __double2int_rn(d); o[14] = __double2int_rz(d); o[15] = __double2int_rd(d); o[16] = __double2int_ru(d);
    o[17] = __double2uint_rz(d);
    o[18] = __double2ll_rn(d);  o[19] = __double2ll_rz(d);
    o[20] = (long long) __double2ull_rd(d);
    short s;
    asm("cvt.rzi.s16.f32 %0, %1;" : "=h"(s) : "f"(f));         o[21] = s;
    unsigned short us;
    asm("cvt.rni.u16.f64 %0, %1;" : "=h"(us) : "d"(d));        o[22] = us;
    int sat8;
    asm("cvt.sat.s8.s32 %0, %1;" : "=r"(sat8) : "r"((int) __float2int_rz(f)));
    o[23] = sat8;
}

// From one int, one long long and one double per thread; float results as raw bits.
extern "C" __global__ void int_to_float(const int *is, const long long *ls, const double *ds,
                                        unsigned long long *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int v = is[i];
    long long l = ls[i];
    double d = ds[i];
    unsigned long long *o = out + i * I2F_RESULTS;
    o[0] = __float_as_uint(__int2float_rn(v));  o[1] = __float_as_uint(__int2float_rz(v));
    o[2] = __float_as_uint(__int2float_rd(v));  o[3] = __float_as_uint(__int2float_ru(v));
    o[4] = __float_as_uint(__uint2float_rn((unsigned) v));
    o[5] = __float_as_uint(__ll2float_rn(l));   o[6] = __float_as_uint(__ll2float_rz(l));
    o[7] = __float_as_uint(__ull2float_ru((unsigned long long) l));
    o[8] = __double_as_longlong(__ll2double_rn(l)); o[9] = __double_as_longlong(__ll2double_rd(l));
    o[10] = __double_as_longlong(__ull2double_rz((unsigned long long) l));
    o[11] = __double_as_longlong((double) v);
    o[12] = __float_as_uint(__double2float_rn(d)); o[13] = __float_as_uint(__double2float_rz(d));
    o[14] = __float_as_uint(__double2float_rd(d)); o[15] = __float_as_uint(__double2float_ru(d));
    o[16] = __double_as_longlong((double) __double2float_rn(d));   // f32 -> f64 is exact
    o[17] = __half_as_ushort(__float2half_rn(__double2float_rn(d)));
    o[18] = __float_as_uint(__half2float(__ushort_as_half((unsigned short) v)));
    o[19] = __bfloat16_as_ushort(__float2bfloat16_rn(__double2float_rn(d)));
}

// Rounding to integral values and integer narrowing/widening.
extern "C" __global__ void integral_and_narrow(const float *fs, const int *is, float *fout,
                                               int *iout, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float f = fs[i];
    int v = is[i];
    fout[4 * i] = rintf(f);
    fout[4 * i + 1] = truncf(f);
    fout[4 * i + 2] = floorf(f);
    fout[4 * i + 3] = ceilf(f);
    iout[6 * i] = (signed char) v;
    iout[6 * i + 1] = (unsigned char) v;
    iout[6 * i + 2] = (short) v;
    iout[6 * i + 3] = (unsigned short) v;
    iout[6 * i + 4] = (int) ((long long) v * 3 >> 1);
    iout[6 * i + 5] = (int) (unsigned) ((unsigned long long) (unsigned) v * 5u >> 2);
}
