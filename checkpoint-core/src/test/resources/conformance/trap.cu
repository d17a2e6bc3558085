// __trap(): the thread that reaches it ends the launch with an error.

extern "C" __global__ void trap_if(const int *data, int *out, int bad)
{
    int t = threadIdx.x;
    if (data[t] == bad) __trap();
    out[t] = data[t] + 1;
}
