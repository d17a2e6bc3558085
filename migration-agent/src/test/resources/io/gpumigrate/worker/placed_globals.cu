// Kernels of PlacedGlobalsTest: module globals that a kernel alone uses (the host never looks them
// up), and pointers to them kept in a global and in the client's memory. A restore or a migration
// must keep their values and their addresses.
// Regenerate the PTX beside it with: nvcc -ptx -arch=sm_90 placed_globals.cu -o placed_globals.ptx

extern "C" {

__device__ unsigned int steps;
__device__ unsigned int* stepsAt;

// Bumps steps through the pointer kept in stepsAt (set at the first launch); out[0] = steps,
// out[1] = the pointer kept in stepsAt, out[2] = &steps as this launch sees it.
__global__ void step(unsigned long long* out) {
    if (stepsAt == 0) {
        stepsAt = &steps;
    }
    *stepsAt += 1;
    out[0] = steps;
    out[1] = (unsigned long long) stepsAt;
    out[2] = (unsigned long long) &steps;
}

// Adds 10 to what the pointer stored in the client's memory at *where points to.
__global__ void bumpThrough(unsigned int** where) {
    **where += 10;
}

}
