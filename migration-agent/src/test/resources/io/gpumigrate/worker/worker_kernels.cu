// Kernels of the worker's module and launch tests (WorkerModuleTest).
// Regenerate the PTX beside it with: nvcc -ptx -arch=sm_90 worker_kernels.cu -o worker_kernels.ptx

extern "C" {

__device__ int launches;

__global__ void scale(float* data, float factor, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        data[i] *= factor;
    }
    if (i == 0) {
        atomicAdd(&launches, 1);
    }
}

// Writes far outside any allocation when offset is large: an illegal address.
__global__ void writeAt(int* p, long long offset) {
    p[offset] = 1;
}

}
