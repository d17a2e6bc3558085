/* Streams: handles are the worker's; the legacy and per-thread default streams map to 0. */
#include "gm.h"
#include "transport.h"

static CUresult stream_op(uint16_t op, CUstream stream)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, gm_stream(stream));
    rc = gm_call_simple(op, &body);
    gm_buf_free(&body);
    return rc;
}

CUresult cuStreamCreateWithPriority(CUstream *phStream, unsigned int flags, int priority)
{
    if (phStream == NULL || (flags & ~(unsigned int)CU_STREAM_NON_BLOCKING))
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u32(&body, flags);
    gm_buf_put_i32(&body, priority);
    uint64_t stream = 0;
    rc = gm_call_u64(GM_OP_STREAM_CREATE, &body, &stream, 1);
    if (rc == CUDA_SUCCESS)
        *phStream = (CUstream)(uintptr_t)stream;
    gm_buf_free(&body);
    return rc;
}

CUresult cuStreamCreate(CUstream *phStream, unsigned int Flags)
{
    return cuStreamCreateWithPriority(phStream, Flags, 0);
}

CUresult cuStreamDestroy_v2(CUstream hStream)
{
    if (hStream == NULL || hStream == CU_STREAM_LEGACY || hStream == CU_STREAM_PER_THREAD)
        return CUDA_ERROR_INVALID_HANDLE;
    return stream_op(GM_OP_STREAM_DESTROY, hStream);
}
GM_ALIAS(cuStreamDestroy, cuStreamDestroy_v2);

CUresult cuStreamSynchronize(CUstream hStream)
{
    return stream_op(GM_OP_STREAM_SYNCHRONIZE, hStream);
}
GM_ALIAS(cuStreamSynchronize_ptsz, cuStreamSynchronize);

/* CUDA_SUCCESS when all work is done, CUDA_ERROR_NOT_READY while some is pending. */
CUresult cuStreamQuery(CUstream hStream)
{
    return stream_op(GM_OP_STREAM_QUERY, hStream);
}
GM_ALIAS(cuStreamQuery_ptsz, cuStreamQuery);

CUresult cuStreamWaitEvent(CUstream hStream, CUevent hEvent, unsigned int Flags)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (hEvent == NULL)
        return CUDA_ERROR_INVALID_HANDLE;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, gm_stream(hStream));
    gm_buf_put_u64(&body, gm_handle(hEvent));
    gm_buf_put_u32(&body, Flags);
    rc = gm_transport_post(GM_OP_STREAM_WAIT_EVENT, &body, NULL, 0);
    gm_buf_free(&body);
    return rc;
}
GM_ALIAS(cuStreamWaitEvent_ptsz, cuStreamWaitEvent);
