// Module globals of several sizes and alignments, in both sections, next to a __constant__ array
// (constant bank 3) that CubinGlobals leaves where the driver puts it.
__device__ char flag = 1;
__device__ double scale = 2.5;
__device__ char name[3];
__device__ float4 vectors[2];
__constant__ int coefficients[4] = {1, 2, 3, 4};

extern "C" __global__ void mix(float *out)
{
    name[threadIdx.x % 3] = flag;
    vectors[1].y = (float)scale * coefficients[threadIdx.x % 4];
    out[0] = vectors[0].x;
}
