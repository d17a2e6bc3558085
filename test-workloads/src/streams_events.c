/*
 * streams_events: three streams tied together by events, with asynchronous copies from
 * page-locked host memory, checked against the CPU.
 *
 * Each round (r = 0 .. rounds-1):
 *
 *   copy stream:    record start, HtoD a <- in, a *= 2, record a_ready
 *   compute stream: memset b = 3.0, b *= f_r, wait a_ready, c = a + b, record c_ready
 *   out stream:     wait c_ready, DtoD d <- c, DtoH out <- d, DtoH doubled <- a, record end
 *
 * then cuStreamQuery (SUCCESS or NOT_READY), cuEventSynchronize(end), cuEventQuery and
 * cuStreamQuery (both SUCCESS now), cuEventElapsedTime(start, end) >= 0 (end depends on
 * start through the events, so time cannot run backwards), and out == 2 * in + 3 * f_r bit
 * for bit. Host buffers come from cuMemAllocHost, cuMemHostAlloc and cuMemHostRegister.
 * An event that was never recorded must query as CUDA_SUCCESS, as CUDA specifies.
 */
#include "common/workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 256
#define PAGE 4096
#define THREE_F32_BITS 0x40400000u /* 3.0f */

static float factor(long long round)
{
    return 0.5f * (float)(round % 4 + 1);
}

static int query_ok(CUresult rc, const char *what)
{
    if (rc == CUDA_SUCCESS || rc == CUDA_ERROR_NOT_READY) {
        return 1;
    }
    wl_die_cuda(what, rc, __FILE__, __LINE__);
    return 0;
}

int main(int argc, char **argv)
{
    long long n = 1 << 14;
    long long rounds = 50;
    wl_flag flags[] = {
        { "n", &n, 1, 1LL << 28, "elements per buffer" },
        { "rounds", &rounds, 1, 10000000, "rounds of the three-stream pipeline, each checked" },
        { NULL, NULL, 0, 0, NULL },
    };
    wl_common_flags common;
    wl_parse_flags(argc, argv, "streams_events", flags, &common);

    wl_gpu gpu;
    wl_open(&gpu, "streams_events");
    CUmodule module = wl_load_module("streams", WL_LOAD_DATA);
    CUfunction scale = wl_function(module, "scale");
    CUfunction add = wl_function(module, "add");

    size_t bytes = (size_t)n * sizeof(float);
    size_t registered_bytes = (bytes + PAGE - 1) / PAGE * PAGE;
    float *in = NULL;
    float *out = NULL;
    float *doubled = NULL;
    CHECK(cuMemAllocHost((void **)&in, bytes));
    CHECK(cuMemHostAlloc((void **)&out, bytes, 0));
    if (posix_memalign((void **)&doubled, PAGE, registered_bytes) != 0) {
        wl_die("out of host memory for n=%lld", n);
    }
    CHECK(cuMemHostRegister(doubled, registered_bytes, 0));

    CUdeviceptr d_a, d_b, d_c, d_d;
    CHECK(cuMemAlloc(&d_a, bytes));
    CHECK(cuMemAlloc(&d_b, bytes));
    CHECK(cuMemAlloc(&d_c, bytes));
    CHECK(cuMemAlloc(&d_d, bytes));

    CUstream copy, compute, out_stream;
    CHECK(cuStreamCreate(&copy, CU_STREAM_NON_BLOCKING));
    CHECK(cuStreamCreate(&compute, CU_STREAM_DEFAULT));
    CHECK(cuStreamCreate(&out_stream, CU_STREAM_NON_BLOCKING));
    CUevent start, end, a_ready, c_ready;
    CHECK(cuEventCreate(&start, CU_EVENT_DEFAULT));
    CHECK(cuEventCreate(&end, CU_EVENT_DEFAULT));
    CHECK(cuEventCreate(&a_ready, CU_EVENT_DISABLE_TIMING));
    CHECK(cuEventCreate(&c_ready, CU_EVENT_DISABLE_TIMING));

    int ok = 1;
    CUresult never_recorded = cuEventQuery(a_ready);
    if (never_recorded != CUDA_SUCCESS) {
        const char *name = NULL;
        cuGetErrorName(never_recorded, &name);
        fprintf(stderr, "streams_events: cuEventQuery on an unrecorded event returned %s, CUDA specifies CUDA_SUCCESS\n",
                name != NULL ? name : "an unknown code");
        ok = 0;
    }

    wl_ready_point(&common);

    int count = (int)n;
    unsigned int grid = wl_blocks((size_t)n, BLOCK);
    float two = 2.0f;
    float total_ms = 0.0f;
    uint32_t seed = 5150;
    for (long long r = 0; r < rounds && ok; r++) {
        for (long long i = 0; i < n; i++) {
            in[i] = wl_rand_unit(&seed) * 8.0f - 4.0f;
        }
        float f = factor(r);

        CHECK(cuEventRecord(start, copy));
        CHECK(cuMemcpyHtoDAsync(d_a, in, bytes, copy));
        void *scale_a[] = { &d_a, &two, &count };
        CHECK(cuLaunchKernel(scale, grid, 1, 1, BLOCK, 1, 1, 0, copy, scale_a, NULL));
        CHECK(cuEventRecord(a_ready, copy));

        CHECK(cuMemsetD32Async(d_b, THREE_F32_BITS, (size_t)n, compute));
        void *scale_b[] = { &d_b, &f, &count };
        CHECK(cuLaunchKernel(scale, grid, 1, 1, BLOCK, 1, 1, 0, compute, scale_b, NULL));
        CHECK(cuStreamWaitEvent(compute, a_ready, 0));
        void *add_params[] = { &d_a, &d_b, &d_c, &count };
        CHECK(cuLaunchKernel(add, grid, 1, 1, BLOCK, 1, 1, 0, compute, add_params, NULL));
        CHECK(cuEventRecord(c_ready, compute));

        CHECK(cuStreamWaitEvent(out_stream, c_ready, 0));
        CHECK(cuMemcpyDtoDAsync(d_d, d_c, bytes, out_stream));
        CHECK(cuMemcpyDtoHAsync(out, d_d, bytes, out_stream));
        CHECK(cuMemcpyDtoHAsync(doubled, d_a, bytes, out_stream));
        CHECK(cuEventRecord(end, out_stream));

        query_ok(cuStreamQuery(out_stream), "cuStreamQuery(out_stream) before synchronizing");
        CHECK(cuEventSynchronize(end));
        CHECK(cuEventQuery(end));
        CHECK(cuStreamQuery(out_stream));
        CHECK(cuStreamSynchronize(compute));
        CHECK(cuStreamSynchronize(copy));
        float ms = -1.0f;
        CHECK(cuEventElapsedTime(&ms, start, end));
        if (!(ms >= 0.0f)) {
            fprintf(stderr, "streams_events: round %lld: cuEventElapsedTime(start, end) = %g ms, expected >= 0\n", r,
                    (double)ms);
            ok = 0;
        }
        total_ms += ms;

        float b = 3.0f * f;
        for (long long i = 0; i < n && ok; i++) {
            float a = in[i] * 2.0f;
            float want = a + b;
            if (memcmp(&doubled[i], &a, sizeof a) != 0 || memcmp(&out[i], &want, sizeof want) != 0) {
                fprintf(stderr, "streams_events: round %lld element %lld: a %.9g c %.9g, expected a %.9g c %.9g\n", r,
                        i, (double)doubled[i], (double)out[i], (double)a, (double)want);
                ok = 0;
            }
        }
        if ((r + 1) % 10 == 0 || r + 1 == rounds) {
            printf("streams_events: round %lld/%lld %s\n", r + 1, rounds, ok ? "ok" : "MISMATCH");
        }
    }
    printf("streams_events: n=%lld, %lld rounds, %.3f ms of device time between start and end events\n", n, rounds,
           (double)total_ms);

    CHECK(cuEventDestroy(start));
    CHECK(cuEventDestroy(end));
    CHECK(cuEventDestroy(a_ready));
    CHECK(cuEventDestroy(c_ready));
    CHECK(cuStreamDestroy(copy));
    CHECK(cuStreamDestroy(compute));
    CHECK(cuStreamDestroy(out_stream));
    CHECK(cuMemFree(d_a));
    CHECK(cuMemFree(d_b));
    CHECK(cuMemFree(d_c));
    CHECK(cuMemFree(d_d));
    CHECK(cuMemHostUnregister(doubled));
    free(doubled);
    CHECK(cuMemFreeHost(in));
    CHECK(cuMemFreeHost(out));
    CHECK(cuModuleUnload(module));
    wl_close(&gpu);
    return wl_verdict(ok);
}
