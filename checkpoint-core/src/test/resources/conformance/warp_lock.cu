// A spin lock contended by the lanes of one warp. Lanes that lose the compare-and-swap spin
// while the winner, in the same warp, must still get to run its critical section and release
// the lock: sm_70 and later guarantee this (independent thread scheduling); a SIMT model that
// always runs the spinning lanes first never lets the winner finish. The spin is bounded so that
// such a model reports stuck threads instead of hanging.

extern "C" __global__ void warp_lock(int *lock, int *counter, int *order, int *stuck, int max_tries)
{
    int tries = 0;
    while (atomicCAS(lock, 0, 1) != 0 && ++tries < max_tries) {
    }
    if (tries < max_tries) {
        volatile int *c = counter;
        int mine = *c;
        *c = mine + 1;                      // not atomic: only the lock holder may do this
        order[mine] = threadIdx.x;
        __threadfence();
        atomicExch(lock, 0);
    } else {
        atomicAdd(stuck, 1);
    }
}
