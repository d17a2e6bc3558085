// The place_globals.c probe's kernel as CUDA C (nvcc -cubin, -fatbin): two module
// globals, one initialized; the kernel bumps one and stores their addresses.
__device__ unsigned int counter = 7;
__device__ unsigned long long table[4];

extern "C" __global__ void bump(unsigned long long *out)
{
    counter = counter + 1;
    table[1] = (unsigned long long)&counter;
    out[0] = (unsigned long long)&counter;
    out[1] = (unsigned long long)table;
}
