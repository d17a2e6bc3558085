// Kernel parameters of odd sizes and alignments, passed by value: scalars of every width,
// a struct with padding {char; double; int3}, a 3-byte struct, a 200-byte struct. Each field
// is copied out so the host can check the parameter buffer was read at the right offsets.

struct Odd { char c; double d; int3 v; };          // size 32, align 8
struct Tiny { unsigned char b[3]; };              // size 3, align 1
struct Big { int words[50]; };                     // size 200, align 4

extern "C" __global__ void many_params(char c, struct Odd odd, short s, struct Tiny tiny, double d,
                                       struct Big big, float f, long long *out)
{
    int t = threadIdx.x;
    if (t < 50) out[16 + t] = (long long) big.words[t] * (t + 1);
    if (t != 0) return;
    out[0] = c;
    out[1] = odd.c;
    out[2] = __double_as_longlong(odd.d);
    out[3] = odd.v.x;
    out[4] = odd.v.y;
    out[5] = odd.v.z;
    out[6] = s;
    out[7] = tiny.b[0];
    out[8] = tiny.b[1];
    out[9] = tiny.b[2];
    out[10] = __double_as_longlong(d);
    out[11] = __float_as_int(f);
    out[12] = (long long) (odd.d * odd.v.y + f);
}

// Parameters read per thread, with the struct indexed dynamically (forces the parameter to be
// addressed as memory rather than loaded field by field).
extern "C" __global__ void indexed_param(struct Big big, const int *idx, int *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    out[i] = big.words[idx[i] % 50] - i;
}

// A parameter far beyond the classic 4 KB limit (sm_70+ with CUDA 12.1+ allow 32764 bytes).
struct Huge { int words[2000]; };                  // 8000 bytes

extern "C" __global__ void huge_param(struct Huge huge, int *out)
{
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t < 2000) out[t] = huge.words[1999 - t] ^ t;
}
