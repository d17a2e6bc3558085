/*
 * The session's one connection to its worker: framing on a TCP socket, sequence numbers,
 * buffered pipelining of ASYNC ops, request/reply for CALL and SYNC ops, and, when the
 * session moves (docs/migration-protocol.md), reconnecting and resending what the new worker
 * has not applied, so that the program sees a pause and never an error.
 *
 * Thread-safe: one mutex guards the connection; a call holds it from sending its frame until
 * its reply has been read, so replies always arrive in the order calls were sent. Every frame
 * goes through the resend buffer (resend.h), which is also the send queue: ASYNC frames are
 * written in batches of 64 KiB, before any call that waits, or by a background thread 200 us
 * after the first of them was queued. Reconnecting happens under the same mutex, in whichever
 * thread (a caller or the background one) sees the connection end; the others wait.
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
    const void *data;          /* appended to the body on the wire (copied into the resend buffer) */
    size_t data_len;
    struct gm_buf *results;    /* receives the results after the status (may be NULL) */
    void *sink;                /* alternatively: exactly sink_len result bytes land here */
    size_t sink_len;
};

/**
 * Makes fd the session connection (after ATTACH); peer names it in log lines. The first frame
 * sent gets seq first_seq: 1 for a fresh session, the worker's lastApplied + 1 for an existing one.
 */
void gm_transport_attach(int fd, const char *peer, uint64_t first_seq);

/**
 * Sends a CALL or SYNC op and waits for its reply. Returns the reply's status, or
 * GM_LINK_ERROR once the session is lost (no worker took it back within
 * GPUMIGRATE_RECONNECT_TIMEOUT).
 */
CUresult gm_transport_call(const struct gm_call *call);

/**
 * Queues an ASYNC op (body + data, both copied: the caller may reuse its memory at once)
 * without waiting for the worker. Returns CUDA_SUCCESS once queued, GM_LINK_ERROR when the
 * session is lost. Waits for an ACK round trip first when the resend buffer is full.
 */
CUresult gm_transport_post(uint16_t op, const struct gm_buf *body, const void *data, size_t data_len);

/** Sends GOODBYE (waiting at most a few seconds) and closes the connection, if one is open. */
void gm_transport_goodbye(void);

#endif
