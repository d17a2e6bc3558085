// Kernels of DeviceBackendContract: every backend must run these and give the results a CPU computes.
// Regenerate the PTX beside it with: nvcc -ptx -arch=sm_90 contract_kernels.cu -o contract_kernels.ptx

extern "C" {

__device__ int launchCount;
__constant__ float channelScale[4] = {1.0f, 2.0f, 3.0f, 4.0f};

struct Affine {
    double scale;
    int offset;
    char tag;
};

__global__ void vectorAdd(const float* a, const float* b, float* c, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        c[i] = a[i] + b[i];
    }
    if (i == 0) {
        atomicAdd(&launchCount, 1);
    }
}

__global__ void affine(Affine p, const int* in, long long* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        out[i] = (long long) (in[i] * p.scale) + p.offset + p.tag;
    }
}

// A pointer into the module's globals kept in one of them: valid after a restore only when the
// globals lie where they did. Stores it, and where the kernel sees launchCount, in out[0..1].
__device__ int* launchCountAddress;

__global__ void globalAddresses(unsigned long long* out) {
    launchCountAddress = &launchCount;
    out[0] = (unsigned long long) &launchCount;
    out[1] = (unsigned long long) launchCountAddress;
}

__global__ void scaleByChannel(float* data, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        data[i] *= channelScale[i % 4];
    }
}

}
