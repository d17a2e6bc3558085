// Approximate and library float math: div.approx/div.full, rcp.approx, sqrt.approx,
// rsqrt, ex2, lg2, sin, cos (fast intrinsics and the precise library versions, which expand
// to long instruction sequences), min/max/abs/neg, saturate, and double rsqrt/min/max.

#define MATH_RESULTS 26
#define DMATH_RESULTS 8

extern "C" __global__ void f32_math(const float *a, const float *b, float *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float x = a[i], y = b[i];
    float *o = out + i * MATH_RESULTS;
    float m = fabsf(x);
    o[0] = __fdividef(x, y);
    asm("div.full.f32 %0, %1, %2;" : "=f"(o[1]) : "f"(x), "f"(y));
    asm("rcp.approx.f32 %0, %1;" : "=f"(o[2]) : "f"(y));
    asm("sqrt.approx.f32 %0, %1;" : "=f"(o[3]) : "f"(m));
    o[4] = rsqrtf(m);
    o[5] = exp2f(y);
    o[6] = log2f(m);
    o[7] = __expf(y);
    o[8] = __logf(m);
    o[9] = __sinf(x);
    o[10] = __cosf(x);
    o[11] = sinf(x * 50.0f);   // precise: Payne-Hanek reduction for large arguments
    o[12] = cosf(x * 50.0f);
    o[13] = expf(y);
    o[14] = logf(m);
    o[15] = fminf(x, y);
    o[16] = fmaxf(x, y);
    o[17] = fabsf(y);
    o[18] = -y;
    o[19] = __saturatef(x);
    o[20] = __saturatef(x + y);
    o[21] = x / y;             // IEEE division (div.rn.f32)
    o[22] = sqrtf(m);          // IEEE square root (sqrt.rn.f32)
    o[23] = fmaf(x, y, 1.0f);
    o[24] = copysignf(y, x);
    o[25] = x * y - y;
}

extern "C" __global__ void f64_math(const double *a, const double *b, double *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    double x = a[i], y = b[i];
    double *o = out + i * DMATH_RESULTS;
    o[0] = fmin(x, y);
    o[1] = fmax(x, y);
    o[2] = fabs(y);
    o[3] = -y;
    o[4] = rsqrt(fabs(x));
    o[5] = x / y;
    o[6] = sqrt(fabs(x));
    o[7] = fma(x, y, 0.5);
}

// Double-precision library functions (long instruction sequences in f64 and integer ops).
extern "C" __global__ void f64_library(const double *a, const double *b, double *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    double x = a[i], y = b[i];
    double *o = out + i * 6;
    o[0] = sin(x);
    o[1] = cos(x);
    o[2] = exp(y);
    o[3] = log(fabs(x));
    o[4] = pow(fabs(x), y);
    o[5] = atan2(x, y);
}
