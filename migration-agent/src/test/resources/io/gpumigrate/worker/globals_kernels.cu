// Kernels of the module-globals relocation tests (GlobalRelocationTest): one kernel takes a
// pointer (which the test points into a global), one reads a global by name.
// Regenerate the PTX beside it with: nvcc -ptx -arch=sm_90 globals_kernels.cu -o globals_kernels.ptx

extern "C" {

__device__ float table[64];
__device__ int launches;

// Scales n floats at data and counts the launch in the global 'launches'.
__global__ void scale(float* data, float factor, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        data[i] *= factor;
    }
    if (i == 0) {
        atomicAdd(&launches, 1);
    }
}

// Copies the first n floats of the global 'table' to out.
__global__ void read_table(float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        out[i] = table[i];
    }
}

}
