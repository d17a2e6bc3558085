/*
 * Copies between host and device and within the device, cut into pieces of at most
 * GM_MAX_COPY_CHUNK bytes, one op each. Host-to-device and device-to-device copies are
 * pipelined (ASYNC ops: the host data is on its way to the socket before the call returns, so
 * the program may reuse its buffer at once); device-to-host copies wait for their data, the
 * *Async form included (the bytes must land in the program's buffer, and no thread of ours
 * could put them there later). Large copies to a worker on this host go through shared
 * memory instead (shm.h) when it is available.
 */
#include "gm.h"
#include "shm.h"
#include "transport.h"

static size_t chunk_at(size_t total, size_t done)
{
    size_t left = total - done;
    return left < GM_MAX_COPY_CHUNK ? left : GM_MAX_COPY_CHUNK;
}

static CUresult host_to_device(CUdeviceptr dst, const void *src, size_t n, CUstream stream)
{
    if (src == NULL && n > 0)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc == CUDA_SUCCESS && gm_shm_htod(dst, src, n, gm_stream(stream), &rc))
        return rc;
    struct gm_buf body;
    gm_buf_init(&body);
    for (size_t done = 0; rc == CUDA_SUCCESS && done < n; done += chunk_at(n, done)) {
        body.len = 0;
        gm_buf_put_u64(&body, dst + done);
        gm_buf_put_u64(&body, gm_stream(stream));
        rc = gm_transport_post(GM_OP_MEMCPY_HTOD, &body, (const uint8_t *)src + done, chunk_at(n, done));
    }
    gm_buf_free(&body);
    return rc;
}

static CUresult device_to_host(void *dst, CUdeviceptr src, size_t n, CUstream stream)
{
    if (dst == NULL && n > 0)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc == CUDA_SUCCESS && gm_shm_dtoh(dst, src, n, gm_stream(stream), &rc))
        return rc;
    struct gm_buf body;
    gm_buf_init(&body);
    for (size_t done = 0; rc == CUDA_SUCCESS && done < n; done += chunk_at(n, done)) {
        body.len = 0;
        gm_buf_put_u64(&body, src + done);
        gm_buf_put_u64(&body, chunk_at(n, done));
        gm_buf_put_u64(&body, gm_stream(stream));
        struct gm_call call = { .op = GM_OP_MEMCPY_DTOH, .body = &body,
                                .sink = (uint8_t *)dst + done, .sink_len = chunk_at(n, done) };
        rc = gm_transport_call(&call);
    }
    gm_buf_free(&body);
    return rc;
}

static CUresult device_to_device(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream stream)
{
    CUresult rc = gm_require_context();
    struct gm_buf body;
    gm_buf_init(&body);
    for (size_t done = 0; rc == CUDA_SUCCESS && done < n; done += chunk_at(n, done)) {
        body.len = 0;
        gm_buf_put_u64(&body, dst + done);
        gm_buf_put_u64(&body, src + done);
        gm_buf_put_u64(&body, chunk_at(n, done));
        gm_buf_put_u64(&body, gm_stream(stream));
        rc = gm_transport_post(GM_OP_MEMCPY_DTOD, &body, NULL, 0);
    }
    gm_buf_free(&body);
    return rc;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount)
{
    return host_to_device(dstDevice, srcHost, ByteCount, NULL);
}
GM_ALIAS(cuMemcpyHtoD_v2_ptds, cuMemcpyHtoD_v2);

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount, CUstream hStream)
{
    return host_to_device(dstDevice, srcHost, ByteCount, hStream);
}
GM_ALIAS(cuMemcpyHtoDAsync_v2_ptsz, cuMemcpyHtoDAsync_v2);

CUresult cuMemcpyDtoH_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount)
{
    return device_to_host(dstHost, srcDevice, ByteCount, NULL);
}
GM_ALIAS(cuMemcpyDtoH_v2_ptds, cuMemcpyDtoH_v2);

CUresult cuMemcpyDtoHAsync_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream)
{
    return device_to_host(dstHost, srcDevice, ByteCount, hStream);
}
GM_ALIAS(cuMemcpyDtoHAsync_v2_ptsz, cuMemcpyDtoHAsync_v2);

CUresult cuMemcpyDtoD_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount)
{
    return device_to_device(dstDevice, srcDevice, ByteCount, NULL);
}
GM_ALIAS(cuMemcpyDtoD_v2_ptds, cuMemcpyDtoD_v2);

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream)
{
    return device_to_device(dstDevice, srcDevice, ByteCount, hStream);
}
GM_ALIAS(cuMemcpyDtoDAsync_v2_ptsz, cuMemcpyDtoDAsync_v2);
