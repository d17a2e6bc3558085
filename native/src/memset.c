/*
 * Memsets of 8, 16 and 32-bit values, 1D and 2D, synchronous and *Async: all pipelined
 * (ASYNC MEMSET ops). A 2D memset is one op per row.
 */
#include "gm.h"
#include "transport.h"

static CUresult memset_2d(CUdeviceptr dst, size_t pitch, uint32_t value, uint32_t element_size,
                          size_t width, size_t height, CUstream stream)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (dst % element_size != 0)
        return CUDA_ERROR_INVALID_VALUE;
    if (height > 1 && (pitch < width * element_size || pitch % element_size != 0))
        return CUDA_ERROR_INVALID_VALUE;
    if (width == 0)
        return CUDA_SUCCESS;
    struct gm_buf body;
    gm_buf_init(&body);
    for (size_t row = 0; rc == CUDA_SUCCESS && row < height; row++) {
        body.len = 0;
        gm_buf_put_u64(&body, dst + row * pitch);
        gm_buf_put_u32(&body, value);
        gm_buf_put_u32(&body, element_size);
        gm_buf_put_u64(&body, width);
        gm_buf_put_u64(&body, gm_stream(stream));
        rc = gm_transport_post(GM_OP_MEMSET, &body, NULL, 0);
    }
    gm_buf_free(&body);
    return rc;
}

static CUresult memset_1d(CUdeviceptr dst, uint32_t value, uint32_t element_size, size_t count, CUstream stream)
{
    return memset_2d(dst, 0, value, element_size, count, 1, stream);
}

CUresult cuMemsetD8_v2(CUdeviceptr dstDevice, unsigned char uc, size_t N)
{
    return memset_1d(dstDevice, uc, 1, N, NULL);
}
GM_ALIAS(cuMemsetD8_v2_ptds, cuMemsetD8_v2);

CUresult cuMemsetD16_v2(CUdeviceptr dstDevice, unsigned short us, size_t N)
{
    return memset_1d(dstDevice, us, 2, N, NULL);
}
GM_ALIAS(cuMemsetD16_v2_ptds, cuMemsetD16_v2);

CUresult cuMemsetD32_v2(CUdeviceptr dstDevice, unsigned int ui, size_t N)
{
    return memset_1d(dstDevice, ui, 4, N, NULL);
}
GM_ALIAS(cuMemsetD32_v2_ptds, cuMemsetD32_v2);

CUresult cuMemsetD8Async(CUdeviceptr dstDevice, unsigned char uc, size_t N, CUstream hStream)
{
    return memset_1d(dstDevice, uc, 1, N, hStream);
}
GM_ALIAS(cuMemsetD8Async_ptsz, cuMemsetD8Async);

CUresult cuMemsetD16Async(CUdeviceptr dstDevice, unsigned short us, size_t N, CUstream hStream)
{
    return memset_1d(dstDevice, us, 2, N, hStream);
}
GM_ALIAS(cuMemsetD16Async_ptsz, cuMemsetD16Async);

CUresult cuMemsetD32Async(CUdeviceptr dstDevice, unsigned int ui, size_t N, CUstream hStream)
{
    return memset_1d(dstDevice, ui, 4, N, hStream);
}
GM_ALIAS(cuMemsetD32Async_ptsz, cuMemsetD32Async);

CUresult cuMemsetD2D8_v2(CUdeviceptr dstDevice, size_t dstPitch, unsigned char uc, size_t Width, size_t Height)
{
    return memset_2d(dstDevice, dstPitch, uc, 1, Width, Height, NULL);
}
GM_ALIAS(cuMemsetD2D8_v2_ptds, cuMemsetD2D8_v2);

CUresult cuMemsetD2D16_v2(CUdeviceptr dstDevice, size_t dstPitch, unsigned short us, size_t Width, size_t Height)
{
    return memset_2d(dstDevice, dstPitch, us, 2, Width, Height, NULL);
}
GM_ALIAS(cuMemsetD2D16_v2_ptds, cuMemsetD2D16_v2);

CUresult cuMemsetD2D32_v2(CUdeviceptr dstDevice, size_t dstPitch, unsigned int ui, size_t Width, size_t Height)
{
    return memset_2d(dstDevice, dstPitch, ui, 4, Width, Height, NULL);
}
GM_ALIAS(cuMemsetD2D32_v2_ptds, cuMemsetD2D32_v2);

CUresult cuMemsetD2D8Async(CUdeviceptr dstDevice, size_t dstPitch, unsigned char uc, size_t Width,
                           size_t Height, CUstream hStream)
{
    return memset_2d(dstDevice, dstPitch, uc, 1, Width, Height, hStream);
}
GM_ALIAS(cuMemsetD2D8Async_ptsz, cuMemsetD2D8Async);

CUresult cuMemsetD2D16Async(CUdeviceptr dstDevice, size_t dstPitch, unsigned short us, size_t Width,
                            size_t Height, CUstream hStream)
{
    return memset_2d(dstDevice, dstPitch, us, 2, Width, Height, hStream);
}
GM_ALIAS(cuMemsetD2D16Async_ptsz, cuMemsetD2D16Async);

CUresult cuMemsetD2D32Async(CUdeviceptr dstDevice, size_t dstPitch, unsigned int ui, size_t Width,
                            size_t Height, CUstream hStream)
{
    return memset_2d(dstDevice, dstPitch, ui, 4, Width, Height, hStream);
}
GM_ALIAS(cuMemsetD2D32Async_ptsz, cuMemsetD2D32Async);
