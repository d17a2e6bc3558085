// Device-function calls that stay calls (__noinline__): scalar and struct arguments and
// returns through .param space, recursion, and an indirect call through a function pointer.

struct Pair { int a; float b; };

__device__ __noinline__ int mix3(int x, int y, int z) { return x * 31 + y * 7 - z; }

__device__ __noinline__ double scale(double x, float f, char c) { return x * f + c; }

__device__ __noinline__ struct Pair make_pair(int x, struct Pair p)
{
    struct Pair r;
    r.a = p.a + x;
    r.b = p.b * (float) x;
    return r;
}

__device__ __noinline__ unsigned long long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__device__ __noinline__ int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }

__device__ __noinline__ int twice(int x) { return 2 * x; }
__device__ __noinline__ int square(int x) { return x * x; }
__device__ __noinline__ int negate(int x) { return -x; }

typedef int (*unary_fn)(int);

extern "C" __global__ void calls(const int *in, long long *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int v = in[i];
    unary_fn table[3] = {twice, square, negate};
    struct Pair p = {v, 0.5f};
    long long *o = out + i * 6;
    o[0] = mix3(v, i, 3);
    o[1] = __double_as_longlong(scale((double) v, 1.5f, (char) i));
    struct Pair r = make_pair(i, p);
    o[2] = r.a;
    o[3] = __float_as_int(r.b);
    o[4] = (long long) fib(v & 15) + gcd(v & 0xffff, i + 12);
    o[5] = table[(unsigned) v % 3](v & 0xfff);
}
