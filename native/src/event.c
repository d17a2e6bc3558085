/* Events: created, queried and timed on the worker; records are pipelined. */
#include "gm.h"
#include "log.h"
#include "transport.h"

#define EVENT_FLAGS (CU_EVENT_BLOCKING_SYNC | CU_EVENT_DISABLE_TIMING | CU_EVENT_INTERPROCESS)

static CUresult event_op(uint16_t op, CUevent event)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (event == NULL)
        return CUDA_ERROR_INVALID_HANDLE;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, gm_handle(event));
    rc = gm_call_simple(op, &body);
    gm_buf_free(&body);
    return rc;
}

CUresult cuEventCreate(CUevent *phEvent, unsigned int Flags)
{
    if (phEvent == NULL || (Flags & ~(unsigned int)EVENT_FLAGS))
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u32(&body, Flags);
    uint64_t event = 0;
    rc = gm_call_u64(GM_OP_EVENT_CREATE, &body, &event, 1);
    if (rc == CUDA_SUCCESS)
        *phEvent = (CUevent)(uintptr_t)event;
    gm_buf_free(&body);
    return rc;
}

CUresult cuEventDestroy_v2(CUevent hEvent)
{
    return event_op(GM_OP_EVENT_DESTROY, hEvent);
}
GM_ALIAS(cuEventDestroy, cuEventDestroy_v2);

CUresult cuEventRecord(CUevent hEvent, CUstream hStream)
{
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (hEvent == NULL)
        return CUDA_ERROR_INVALID_HANDLE;
    struct gm_buf body;
    gm_buf_init(&body);
    gm_buf_put_u64(&body, gm_handle(hEvent));
    gm_buf_put_u64(&body, gm_stream(hStream));
    rc = gm_transport_post(GM_OP_EVENT_RECORD, &body, NULL, 0);
    gm_buf_free(&body);
    return rc;
}
GM_ALIAS(cuEventRecord_ptsz, cuEventRecord);

/* Only the default record flag: external events (CU_EVENT_RECORD_EXTERNAL) belong to graphs. */
CUresult cuEventRecordWithFlags(CUevent hEvent, CUstream hStream, unsigned int flags)
{
    if (flags != CU_EVENT_RECORD_DEFAULT)
        return flags == CU_EVENT_RECORD_EXTERNAL ? CUDA_ERROR_NOT_SUPPORTED : CUDA_ERROR_INVALID_VALUE;
    return cuEventRecord(hEvent, hStream);
}
GM_ALIAS(cuEventRecordWithFlags_ptsz, cuEventRecordWithFlags);

CUresult cuEventSynchronize(CUevent hEvent)
{
    return event_op(GM_OP_EVENT_SYNCHRONIZE, hEvent);
}

/* CUDA_SUCCESS once the event has completed, CUDA_ERROR_NOT_READY before. */
CUresult cuEventQuery(CUevent hEvent)
{
    return event_op(GM_OP_EVENT_QUERY, hEvent);
}

CUresult cuEventElapsedTime_v2(float *pMilliseconds, CUevent hStart, CUevent hEnd)
{
    if (pMilliseconds == NULL)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = gm_require_context();
    if (rc != CUDA_SUCCESS)
        return rc;
    if (hStart == NULL || hEnd == NULL)
        return CUDA_ERROR_INVALID_HANDLE;
    struct gm_buf body, results;
    gm_buf_init(&body);
    gm_buf_init(&results);
    gm_buf_put_u64(&body, gm_handle(hStart));
    gm_buf_put_u64(&body, gm_handle(hEnd));
    rc = gm_call_results(GM_OP_EVENT_ELAPSED_TIME, &body, &results);
    if (rc == CUDA_SUCCESS) {
        struct gm_reader r;
        gm_reader_init(&r, results.data, results.len);
        float ms = gm_get_f32(&r);
        if (r.failed) {
            gm_log_error("EVENT_ELAPSED_TIME reply is truncated (%zu bytes)", results.len);
            rc = CUDA_ERROR_UNKNOWN;
        } else {
            *pMilliseconds = ms;
        }
    }
    gm_buf_free(&body);
    gm_buf_free(&results);
    return rc;
}
GM_ALIAS(cuEventElapsedTime, cuEventElapsedTime_v2);
