/* Helpers for the common shapes of CALL/SYNC ops; see gm.h. */
#include "gm.h"
#include "log.h"
#include "transport.h"

CUresult gm_call_results(uint16_t op, const struct gm_buf *body, struct gm_buf *results)
{
    struct gm_call call = { .op = op, .body = body, .results = results };
    return gm_transport_call(&call);
}

CUresult gm_call_simple(uint16_t op, const struct gm_buf *body)
{
    return gm_call_results(op, body, NULL);
}

CUresult gm_call_u64(uint16_t op, const struct gm_buf *body, uint64_t *out, int count)
{
    struct gm_buf results;
    gm_buf_init(&results);
    CUresult rc = gm_call_results(op, body, &results);
    if (rc == CUDA_SUCCESS) {
        struct gm_reader r;
        gm_reader_init(&r, results.data, results.len);
        for (int i = 0; i < count; i++)
            out[i] = gm_get_u64(&r);
        if (r.failed) {
            gm_log_error("%s reply is truncated (%zu bytes, expected %d)", gm_op_name(op), results.len, 8 * count);
            rc = CUDA_ERROR_UNKNOWN;
        }
    }
    gm_buf_free(&results);
    return rc;
}
