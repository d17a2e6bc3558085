// Kernels of CudaSmoke, the GPU smoke test of the CUDA backend.
// Regenerate the PTX beside it with: nvcc -ptx -arch=sm_90 smoke_kernels.cu -o smoke_kernels.ptx

extern "C" {

__global__ void vectorAdd(const float* a, const float* b, float* c, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        c[i] = a[i] + b[i];
    }
}

// Launched many times to measure the launch rate: one parameter, almost no work.
__global__ void touch(int* flag) {
    if (threadIdx.x == 0 && blockIdx.x == 0 && flag != nullptr) {
        *flag += 1;
    }
}

}
