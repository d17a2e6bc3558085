// A __managed__ variable next to a __device__ one: nvcc puts both in .nv.global, the managed one
// marked by st_other 0x04. CubinGlobals refuses the cubin.
__device__ int plain;
__managed__ int managed;

extern "C" __global__ void touch(int *out)
{
    plain += 1;
    managed += 1;
    out[0] = plain + managed;
}
