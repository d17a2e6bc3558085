/*
 * What a worker sends on the session connection, read one frame at a time: the REPLY a call
 * waits for, replies that only acknowledge (every REPLY to seq N tells the client that all
 * calls up to N are applied, so it trims the resend buffer), and the unsolicited MIGRATED and
 * CHECKPOINTED.
 * Stateless; the transport calls it under its lock.
 */
#ifndef GM_INBOUND_H
#define GM_INBOUND_H

#include "reconnect.h"
#include "resend.h"
#include "transport.h"

enum gm_inbound {
    GM_IN_REPLY,  /* the reply to the awaited call: its status in status, its results delivered */
    GM_IN_OTHER,  /* a reply to another call: skipped (it still trimmed the resend buffer) */
    GM_IN_MOVED,  /* MIGRATED: the session's new worker in moved; CHECKPOINTED: moved has no worker
                   * (port 0, gm_worker_address_parked) */
    GM_IN_BROKEN, /* the connection ended or carried a frame that makes no sense here: msg says why */
};

struct gm_inbound_result {
    CUresult status;
    struct gm_worker_address moved;
    char msg[512]; /* the error reply's message, or why the connection is broken */
};

/**
 * Reads one frame from fd. The reply to seq (0: no call is awaited) delivers its results as
 * call asks (results or sink); any REPLY trims frames to its seq; scratch receives bodies
 * nobody keeps.
 */
enum gm_inbound gm_inbound_read(int fd, const struct gm_call *call, uint64_t seq, struct gm_resend *frames,
                                struct gm_buf *scratch, struct gm_inbound_result *out);

#endif
