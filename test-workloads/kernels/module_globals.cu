// Kernels for module_globals: module-scope __device__ and __constant__ variables.
//
// The host writes coeffs, offset and table through cuModuleGetGlobal + cuMemcpyHtoD and
// stores a device pointer in out_ptr; transform reads them all, writes through out_ptr and
// counts its threads in calls, which the host reads back through cuModuleGetGlobal.

#define COEFFS 8
#define TABLE 16

__constant__ float coeffs[COEFFS];
__constant__ int offset;
__device__ float table[TABLE];
__device__ float *out_ptr;
__device__ unsigned int calls;

// out_ptr[i] = (coeffs[i % 8] * in[i] + table[i % 16]) + offset, each op rounded to nearest.
extern "C" __global__ void transform(const float *in, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        float v = __fmul_rn(coeffs[i % COEFFS], in[i]);
        v = __fadd_rn(v, table[i % TABLE]);
        out_ptr[i] = __fadd_rn(v, (float)offset);
        atomicAdd(&calls, 1u);
    }
}
