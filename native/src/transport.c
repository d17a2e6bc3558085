/* The session connection: framing, pipelining, request/reply and resuming after a move; see transport.h. */
#include "transport.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gm.h"
#include "inbound.h"
#include "link.h"
#include "log.h"
#include "reconnect.h"
#include "resend.h"

#define BATCH_BYTES (64u * 1024) /* queued bytes that are written at once, without waiting for the flusher */
#define GOODBYE_TIMEOUT_S 5
#define FLUSH_DELAY_US 200
#define IDLE_CHECK_MS 100 /* how often an idle flusher looks for MIGRATED */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct gm_link conn = { .fd = -1 };

/* Signalled when the send queue stops being empty; wakes the flusher. */
static pthread_cond_t queued = PTHREAD_COND_INITIALIZER;

/* ---- the session connection; every function below runs with lock held ---- */

static int usable(void)
{
    if (conn.fd >= 0 && conn.owner != getpid()) {
        /* A forked child shares the parent's socket: leave it to the parent. */
        gm_log_error("process %d was forked from the one that opened the session; it has no device",
                     (int)getpid());
        close(conn.fd);
        conn.fd = -1;
        conn.lost = 1;
    }
    return conn.fd >= 0 && !conn.lost;
}

/* Nothing is awaited, so anything the worker sent is MIGRATED or the end: acts on it. 0, or -1 when lost. */
static int check_inbound(void)
{
    struct pollfd p = { .fd = conn.fd, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0)
        return 0;
    struct gm_inbound_result in;
    switch (gm_inbound_read(conn.fd, NULL, 0, &conn.frames, &conn.scratch, &in)) {
    case GM_IN_MOVED:
        return gm_link_recover(&conn, NULL, &in.moved, 0, "MIGRATED");
    case GM_IN_BROKEN:
        return gm_link_recover(&conn, NULL, NULL, 0, in.msg);
    default:
        return 0;
    }
}

/* Writes the queued frames and looks for MIGRATED. 0, or -1 when the session is lost. */
static int send_queued(void)
{
    char why[256];
    if (gm_link_write_queued(&conn, why, sizeof why) != 0)
        return gm_link_recover(&conn, NULL, NULL, 1, why);
    return check_inbound();
}

/* The reply to w's call is gone with a worker that applied the call (it died before flushing). */
static CUresult lost_reply(const struct gm_awaited *w)
{
    const struct gm_call *call = w->call;
    if (call->results == NULL && call->sink == NULL) {
        gm_log_debug("%s (seq %llu) was applied by a worker that failed before replying; its status is unknown",
                     gm_op_name(call->op), (unsigned long long)w->seq);
        return CUDA_SUCCESS;
    }
    gm_log_error("%s (seq %llu) was applied by a worker that failed before replying; its results are lost",
                 gm_op_name(call->op), (unsigned long long)w->seq);
    return GM_LINK_ERROR;
}

static CUresult acknowledge(void);

/* Sends call and waits for its reply, following the session wherever it moves meanwhile. */
static CUresult round_trip(const struct gm_call *call, char *msg, size_t msg_len)
{
    size_t body_len = (call->body ? call->body->len : 0) + call->data_len;
    if (call->op != GM_OP_ACK && gm_resend_full(&conn.frames, GM_FRAME_HEADER_SIZE + body_len)) {
        CUresult rc = acknowledge();
        if (rc != CUDA_SUCCESS)
            return rc;
    }
    struct gm_awaited w = { .call = call, .seq = conn.frames.next_seq };
    if (gm_resend_append(&conn.frames, call->op, GM_FLAG_REPLY_WANTED, call->body ? call->body->data : NULL,
                         call->body ? call->body->len : 0, call->data, call->data_len) != 0)
        return CUDA_ERROR_OUT_OF_MEMORY;
    for (;;) {
        int failed;
        char why[256];
        if (gm_link_write_queued(&conn, why, sizeof why) != 0) {
            failed = gm_link_recover(&conn, &w, NULL, 1, why);
        } else {
            struct gm_inbound_result in;
            enum gm_inbound got;
            do
                got = gm_inbound_read(conn.fd, call, w.seq, &conn.frames, &conn.scratch, &in);
            while (got == GM_IN_OTHER);
            if (got == GM_IN_REPLY) {
                snprintf(msg, msg_len, "%s", in.msg);
                return in.status;
            }
            failed = gm_link_recover(&conn, &w, got == GM_IN_MOVED ? &in.moved : NULL, 0,
                                     got == GM_IN_MOVED ? "MIGRATED" : in.msg);
        }
        if (failed)
            return GM_LINK_ERROR;
        if (w.answered) {
            snprintf(msg, msg_len, "%s", w.msg);
            return w.status;
        }
        if (w.seq < conn.frames.first_seq)
            return lost_reply(&w);
        /* else the call was among the frames resent: its reply comes from the new worker */
    }
}

/*
 * ACK: waits until the worker has applied everything sent so far, which empties the resend
 * buffer (every REPLY trims it; ACK's lastApplied too). A worker that refuses ACK still
 * answers it in order, which trims all the same, so only a lost session fails here.
 */
static CUresult acknowledge(void)
{
    struct gm_call call = { .op = GM_OP_ACK, .results = &conn.acked };
    char msg[256];
    conn.acked.len = 0;
    CUresult rc = round_trip(&call, msg, sizeof msg);
    if (rc == GM_LINK_ERROR)
        return rc;
    if (rc == CUDA_SUCCESS && conn.acked.len >= 8) {
        struct gm_reader r;
        gm_reader_init(&r, conn.acked.data, conn.acked.len);
        gm_resend_trim(&conn.frames, gm_get_u64(&r));
    } else if (rc != CUDA_SUCCESS) {
        gm_log_debug("the worker at %s answered ACK with %s: %s", conn.peer, gm_error_name(rc), msg);
    }
    return CUDA_SUCCESS;
}

static CUresult check_frame_size(uint16_t op, const struct gm_buf *body, size_t data_len)
{
    size_t body_len = (body ? body->len : 0) + data_len;
    if (body_len > GM_MAX_FRAME_LENGTH - GM_FRAME_MIN_LENGTH) {
        gm_log_error("%s body of %zu bytes exceeds the protocol's maximum %u", gm_op_name(op), body_len,
                     GM_MAX_FRAME_LENGTH - GM_FRAME_MIN_LENGTH);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (body && body->failed)
        return CUDA_ERROR_OUT_OF_MEMORY;
    return CUDA_SUCCESS;
}

/* Waits for queued frames; every IDLE_CHECK_MS meanwhile, follows a MIGRATED that came unasked. */
static void wait_for_queued(void)
{
    while (gm_resend_unsent_bytes(&conn.frames) == 0 || !usable()) {
        if (!usable()) {
            pthread_cond_wait(&queued, &lock); /* no session (yet, or any more): nothing to watch */
            continue;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += IDLE_CHECK_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        /* Holding the lock, no call is waiting for a reply: anything readable is MIGRATED or the end. */
        if (pthread_cond_timedwait(&queued, &lock, &until) == ETIMEDOUT && usable())
            check_inbound();
    }
}

/*
 * Sends queued ASYNC frames FLUSH_DELAY_US after the first of them was queued, so work reaches
 * the worker even when the program makes no further call for a while; batching stays intact.
 * While the program is idle, it also notices MIGRATED, so that the session's new worker is
 * attached at once rather than at the program's next call.
 */
static void *flusher_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&lock);
    for (;;) {
        wait_for_queued();
        pthread_mutex_unlock(&lock);
        struct timespec delay = { .tv_nsec = FLUSH_DELAY_US * 1000 };
        nanosleep(&delay, NULL);
        pthread_mutex_lock(&lock);
        if (usable() && gm_resend_unsent_bytes(&conn.frames) > 0)
            send_queued();
    }
    return NULL;
}

static void start_flusher(void)
{
    pthread_condattr_t clock;
    pthread_condattr_init(&clock);
    pthread_condattr_setclock(&clock, CLOCK_MONOTONIC);
    pthread_cond_init(&queued, &clock); /* before any frame is queued: nobody uses it yet */
    pthread_condattr_destroy(&clock);
    pthread_t thread;
    pthread_attr_t attr;
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved); /* the program's signals stay on its own threads */
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attr, flusher_main, NULL) != 0)
        gm_log_debug("no flusher thread: queued work waits for the next call");
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

/* GPUMIGRATE_RESEND_BUFFER, or the default (an invalid value is reported once). */
static uint64_t resend_limit(void)
{
    const char *text = getenv("GPUMIGRATE_RESEND_BUFFER");
    uint64_t bytes = GM_RESEND_DEFAULT_BYTES;
    char err[256];
    if (text != NULL && text[0] != '\0' && gm_resend_parse_limit(text, &bytes, err, sizeof err) != 0) {
        gm_log_error("GPUMIGRATE_RESEND_BUFFER %s; using %llu", err, GM_RESEND_DEFAULT_BYTES);
        bytes = GM_RESEND_DEFAULT_BYTES;
    }
    return bytes;
}

void gm_transport_attach(int fd, const char *peer, uint64_t first_seq)
{
    static pthread_once_t flusher_once = PTHREAD_ONCE_INIT;
    pthread_once(&flusher_once, start_flusher);
    pthread_mutex_lock(&lock);
    conn.fd = fd;
    conn.lost = 0;
    conn.closing = 0;
    conn.owner = getpid();
    gm_resend_free(&conn.frames);
    gm_resend_init(&conn.frames, resend_limit(), first_seq);
    snprintf(conn.peer, sizeof conn.peer, "%s", peer);
    pthread_cond_signal(&queued); /* the flusher starts watching the connection */
    pthread_mutex_unlock(&lock);
}

CUresult gm_transport_post(uint16_t op, const struct gm_buf *body, const void *data, size_t data_len)
{
    CUresult rc = check_frame_size(op, body, data_len);
    if (rc != CUDA_SUCCESS)
        return rc;
    pthread_mutex_lock(&lock);
    rc = GM_LINK_ERROR;
    if (!usable())
        goto out;
    size_t body_len = body ? body->len : 0;
    if (gm_resend_full(&conn.frames, GM_FRAME_HEADER_SIZE + body_len + data_len)
        && (rc = acknowledge()) != CUDA_SUCCESS)
        goto out;
    int was_empty = gm_resend_unsent_bytes(&conn.frames) == 0;
    rc = CUDA_ERROR_OUT_OF_MEMORY;
    if (gm_resend_append(&conn.frames, op, 0, body ? body->data : NULL, body_len, data, data_len) != 0)
        goto out;
    rc = CUDA_SUCCESS;
    if (gm_resend_unsent_bytes(&conn.frames) >= BATCH_BYTES) {
        if (send_queued() != 0)
            rc = GM_LINK_ERROR;
    } else if (was_empty) {
        pthread_cond_signal(&queued);
    }
out:
    pthread_mutex_unlock(&lock);
    return rc;
}

CUresult gm_transport_call(const struct gm_call *call)
{
    CUresult rc = check_frame_size(call->op, call->body, call->data_len);
    if (rc != CUDA_SUCCESS)
        return rc;
    char msg[512] = "";
    pthread_mutex_lock(&lock);
    rc = GM_LINK_ERROR;
    if (usable())
        rc = round_trip(call, msg, sizeof msg);
    if (rc != CUDA_SUCCESS && rc != CUDA_ERROR_NOT_READY)
        gm_log_debug("%s failed: %s: %s", gm_op_name(call->op), gm_error_name(rc), msg);
    pthread_mutex_unlock(&lock);
    return rc;
}

void gm_transport_goodbye(void)
{
    pthread_mutex_lock(&lock);
    if (!usable())
        goto out;
    conn.closing = 1;
    struct timeval timeout = { .tv_sec = GOODBYE_TIMEOUT_S };
    setsockopt(conn.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char msg[256] = "";
    struct gm_call call = { .op = GM_OP_GOODBYE };
    CUresult rc = round_trip(&call, msg, sizeof msg);
    if (rc != CUDA_SUCCESS)
        gm_log_debug("GOODBYE: %s %s", gm_error_name(rc), msg);
    if (conn.fd >= 0)
        close(conn.fd);
    conn.fd = -1;
    conn.lost = 1;
out:
    pthread_mutex_unlock(&lock);
}

/* fork() while another thread holds the lock would leave the child's copy locked forever. */
static void before_fork(void) { pthread_mutex_lock(&lock); }
static void after_fork(void) { pthread_mutex_unlock(&lock); }

__attribute__((constructor)) static void install_fork_handlers(void)
{
    pthread_atfork(before_fork, after_fork, after_fork);
}
