/* Resuming the session connection after a move: drain, find, ATTACH, resend; see link.h. */
#include "link.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gm.h"
#include "inbound.h"
#include "log.h"

#define DRAIN_TIMEOUT_S 2 /* how long a failed connection may take to yield its last frames */
#define BACKOFF_FIRST_MS 10
#define BACKOFF_MAX_MS 1000
#define HANDSHAKE_MAX_MS 10000 /* the longest one SESSION_LOCATE or ATTACH answer is awaited */
#define HANDSHAKE_MIN_MS 100

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void close_socket(struct gm_link *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}

/* Writes the queued frames in one sendmsg batch: 0, or -1 with the reason in why. */
int gm_link_write_queued(struct gm_link *l, char *why, size_t why_len)
{
    struct iovec iov[2];
    int n = gm_resend_unsent(&l->frames, iov);
    if (n > 0 && gm_send_iov(l->fd, iov, n) != 0) {
        snprintf(why, why_len, "sending to the worker at %s: %s", l->peer, strerror(errno));
        return -1;
    }
    gm_resend_mark_sent(&l->frames);
    return 0;
}

/*
 * Reads what the worker wrote before its connection failed: replies (the awaited one, if
 * any, is delivered to w), then perhaps MIGRATED. Returns 1 with its address in to, else 0.
 */
static int drain(struct gm_link *l, struct gm_awaited *w, struct gm_worker_address *to)
{
    struct timeval timeout = { .tv_sec = DRAIN_TIMEOUT_S };
    setsockopt(l->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    struct gm_inbound_result in;
    for (;;) {
        int awaiting = w != NULL && !w->answered;
        switch (gm_inbound_read(l->fd, awaiting ? w->call : NULL, awaiting ? w->seq : 0, &l->frames,
                                &l->scratch, &in)) {
        case GM_IN_REPLY:
            w->answered = 1;
            w->status = in.status;
            snprintf(w->msg, sizeof w->msg, "%s", in.msg);
            break;
        case GM_IN_OTHER:
            break;
        case GM_IN_MOVED:
            *to = in.moved;
            return 1;
        case GM_IN_BROKEN:
            return 0;
        }
    }
}

/*
 * Makes fd, just ATTACHed with lastApplied = applied, the session connection and resends every
 * held frame above applied. Returns 0; 1 when the new connection failed too (then moved says
 * whether it named yet another worker, in to); -1 when the session cannot continue there.
 */
static int resume_on(struct gm_link *l, int fd, const char *peer, uint64_t applied, struct gm_awaited *w,
                     struct gm_worker_address *to, int *moved, char *why, size_t why_len)
{
    uint64_t last = l->frames.next_seq - 1, known = l->frames.first_seq - 1;
    if (applied > last || applied < known) {
        snprintf(why, why_len, "the worker at %s has applied calls up to seq %llu, but this client sent up to %llu "
                 "and holds only the calls above %llu to resend", peer, (unsigned long long)applied,
                 (unsigned long long)last, (unsigned long long)known);
        close(fd);
        return -1;
    }
    gm_resend_mark_sent(&l->frames);
    gm_resend_trim(&l->frames, applied);
    gm_resend_rewind(&l->frames);
    l->fd = fd;
    l->owner = getpid();
    snprintf(l->peer, sizeof l->peer, "%s", peer);
    if (gm_link_write_queued(l, why, why_len) == 0)
        return 0;
    *moved = drain(l, w, to);
    close_socket(l);
    return 1;
}

/* See link.h. */
int gm_link_recover(struct gm_link *l, struct gm_awaited *w, const struct gm_worker_address *moved, int must_drain,
                    const char *why)
{
    if (l->closing) {
        gm_log_debug("connection to %s ended during GOODBYE: %s", l->peer, why);
        close_socket(l);
        l->lost = 1;
        return -1;
    }
    gm_log_debug("the connection to %s ended (%s)%s", l->peer, why, must_drain ? "; reading what is left" : "");
    double started = now_s(), timeout = gm_reconnect_timeout_s();
    struct gm_worker_address to;
    int have_to = moved != NULL, parked = 0;
    if (have_to)
        to = *moved;
    else if (must_drain)
        have_to = drain(l, w, &to);
    char from[128], last[512], peer[128];
    snprintf(from, sizeof from, "%s", l->peer);
    snprintf(last, sizeof last, "%s", why);
    close_socket(l);
    unsigned backoff_ms = BACKOFF_FIRST_MS;
    int fatal = 0;
    for (;;) {
        if (have_to && gm_worker_address_parked(&to)) {
            have_to = 0; /* CHECKPOINTED: no worker has the session until someone restores it */
            if (!parked)
                timeout = (now_s() - started) + gm_restore_timeout_s();
            parked = 1;
            gm_log_info("session %llu was checkpointed to %s and its worker at %s ended; waiting up to %.0f s "
                        "(GPUMIGRATE_RESTORE_TIMEOUT) for it to be restored on some node", (unsigned long long)
                        gm_reconnect_session(), to.image, from, gm_restore_timeout_s());
        }
        int followed = have_to;
        const char *how = have_to ? "told by MIGRATED" : parked ? "restored, located by the agent"
                                                            : "located by the agent";
        uint64_t applied = 0;
        double budget_ms = (timeout - (now_s() - started)) * 1e3;
        int wait_ms = budget_ms > HANDSHAKE_MAX_MS ? HANDSHAKE_MAX_MS : (int)budget_ms;
        if (wait_ms < HANDSHAKE_MIN_MS)
            wait_ms = HANDSHAKE_MIN_MS;
        int fd = gm_reconnect_attempt(have_to ? &to : NULL, wait_ms, &applied, peer, sizeof peer, last, sizeof last);
        have_to = 0;
        if (fd >= 0) {
            int rc = resume_on(l, fd, peer, applied, w, &to, &have_to, last, sizeof last);
            if (rc == 0) {
                gm_log_info("session %llu moved: %s -> %s (%s), resent %llu frames (%llu bytes), paused %.1f ms",
                            (unsigned long long)gm_reconnect_session(), from, peer, how,
                            (unsigned long long)gm_resend_frames(&l->frames),
                            (unsigned long long)gm_resend_bytes(&l->frames), (now_s() - started) * 1e3);
                return 0;
            }
            fatal = rc < 0;
            if (fatal)
                break;
        }
        double elapsed = now_s() - started;
        if (elapsed >= timeout)
            break;
        if (have_to || followed)
            continue; /* a new MIGRATED, or the named worker failed and the agent may know better: at once */
        unsigned left_ms = (unsigned)((timeout - elapsed) * 1e3) + 1;
        unsigned ms = backoff_ms < left_ms ? backoff_ms : left_ms;
        struct timespec pause_ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
        nanosleep(&pause_ts, NULL);
        backoff_ms = backoff_ms * 2 < BACKOFF_MAX_MS ? backoff_ms * 2 : BACKOFF_MAX_MS;
    }
    if (fatal)
        gm_log_error("lost session %llu (was at %s): %s; every call now fails with CUDA_ERROR_DEVICE_UNAVAILABLE "
                     "(46)", (unsigned long long)gm_reconnect_session(), from, last);
    else if (parked)
        gm_log_error("lost session %llu (was at %s): it was checkpointed and not restored within %.1f s "
                     "(GPUMIGRATE_RESTORE_TIMEOUT; last attempt: %s); every call now fails with "
                     "CUDA_ERROR_DEVICE_UNAVAILABLE (46)", (unsigned long long)gm_reconnect_session(), from,
                     now_s() - started, last);
    else
        gm_log_error("lost session %llu (was at %s): no worker took it back within %.1f s (last attempt: %s); "
                     "every call now fails with CUDA_ERROR_DEVICE_UNAVAILABLE (46)",
                     (unsigned long long)gm_reconnect_session(), from, now_s() - started, last);
    l->lost = 1;
    return -1;
}

