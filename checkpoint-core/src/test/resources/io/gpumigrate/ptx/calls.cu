// Out-of-line calls for ModuleLoadingTest: recursion and a call through a function pointer.
// Regenerate: nvcc -ptx -arch=sm_90 calls.cu -o calls.ptx
//             nvcc -fatbin -gencode arch=compute_90,code=[compute_90,sm_90] calls.cu -o calls.fatbin
//             nvcc -fatbin -gencode arch=compute_90,code=sm_90 calls.cu -o calls_cubin_only.fatbin

extern "C" {

__device__ int fib(int n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__device__ int twice(int x) { return 2 * x; }
__device__ int square(int x) { return x * x; }

typedef int (*unary)(int);
__device__ unary table[2] = {twice, square};

__global__ void recurse(int* out) {
    int t = threadIdx.x;
    out[t] = fib(t % 12) + table[t & 1](t);
}

}
