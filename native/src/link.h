/*
 * The session connection's state (owned by transport.c, which guards it with its one lock)
 * and resuming it after the session moved (resume.c): reading what is left on the old
 * connection, finding the session again, ATTACH, resending what the new worker lacks.
 * Every function here runs with the transport's lock held.
 */
#ifndef GM_LINK_H
#define GM_LINK_H

#include <stdint.h>
#include <sys/types.h>

#include "reconnect.h"
#include "resend.h"
#include "transport.h"

struct gm_link {
    int fd;                  /* -1 when not connected */
    int lost;                /* the session is gone for good; every call now fails */
    int closing;             /* GOODBYE is under way: a broken connection is not resumed */
    pid_t owner;             /* the process that attached: a forked child must not use the socket */
    struct gm_resend frames; /* every frame not known applied; its tail is the send queue */
    struct gm_buf scratch;   /* bodies read and dropped */
    struct gm_buf acked;     /* ACK's results */
    char peer[128];          /* the worker's host:port, for log lines */
};

/** The call a thread waits for while the connection is resumed. */
struct gm_awaited {
    const struct gm_call *call;
    uint64_t seq;
    int answered;            /* its reply arrived while the failed connection was drained */
    CUresult status;
    char msg[512];
};

/** Writes the queued frames in one sendmsg batch: 0, or -1 with the reason in why. */
int gm_link_write_queued(struct gm_link *l, char *why, size_t why_len);

/**
 * The connection failed (why), or the worker said MIGRATED (moved != NULL). Reads what is left
 * on a connection whose write failed (must_drain: replies, the awaited one delivered to w,
 * then perhaps MIGRATED); then finds the session again (at the MIGRATED address, else where
 * the agent says), ATTACHes and resends every held frame above the new worker's lastApplied,
 * retrying with backoff until GPUMIGRATE_RECONNECT_TIMEOUT has passed. Returns 0 when the
 * session continues on a new connection (logged at info level: old and new worker, frames
 * resent, pause), -1 when it is lost (logged once; l->lost is set).
 */
int gm_link_recover(struct gm_link *l, struct gm_awaited *w, const struct gm_worker_address *moved, int must_drain,
                    const char *why);

#endif
