/*
 * The session's one connection to its worker: framing on a TCP socket, sequence numbers,
 * buffered pipelining of ASYNC ops, and request/reply for CALL and SYNC ops.
 *
 * Thread-safe: one mutex guards the connection; a call holds it from sending its frame until
 * its reply has been read, so replies always arrive in the order calls were sent.
 * ASYNC frames are batched in a 64 KiB buffer and flushed before any call that waits, when
 * full, or by a background thread 200 us after the first of them was queued.
 */
#ifndef GM_TRANSPORT_H
#define GM_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "cuda.h"
#include "frame.h"
#include "socket.h"

/** A CALL or SYNC op: body (+ optional bulk data sent after it) out, results back. */
struct gm_call {
    uint16_t op;
    const struct gm_buf *body; /* may be NULL for an empty body */
    const void *data;          /* appended to the body on the wire, not copied */
    size_t data_len;
    struct gm_buf *results;    /* receives the results after the status (may be NULL) */
    void *sink;                /* alternatively: exactly sink_len result bytes land here */
    size_t sink_len;
};

/** Makes fd the session connection (after ATTACH); peer names it in log lines. */
void gm_transport_attach(int fd, const char *peer);

/** Sends a CALL or SYNC op and waits for its reply. Returns the reply's status. */
CUresult gm_transport_call(const struct gm_call *call);

/**
 * Queues an ASYNC op (body + data) without waiting. Returns CUDA_SUCCESS once queued or
 * written, GM_LINK_ERROR when the connection is gone.
 */
CUresult gm_transport_post(uint16_t op, const struct gm_buf *body, const void *data, size_t data_len);

/** Sends GOODBYE (waiting at most a few seconds) and closes the connection, if one is open. */
void gm_transport_goodbye(void);

#endif
