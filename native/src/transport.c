/* The session connection: framing, pipelining and request/reply; see transport.h. */
#include "transport.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gm.h"
#include "log.h"
#include "socket.h"

#define OUT_BUFFER_LIMIT (64u * 1024)
#define GOODBYE_TIMEOUT_S 5
#define FLUSH_DELAY_US 200

static struct {
    pthread_mutex_t lock;
    int fd;             /* -1 when not connected */
    int lost;           /* the connection broke; every call now fails */
    pid_t owner;        /* the process that attached: a forked child must not use the socket */
    uint64_t next_seq;
    struct gm_buf out;  /* queued ASYNC frames */
    struct gm_buf scratch;
    char peer[128];
} conn = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1, .next_seq = 1 };

/* Signalled when the out buffer stops being empty; wakes the flusher. */
static pthread_cond_t queued = PTHREAD_COND_INITIALIZER;

/* ---- the session connection; every function below runs with conn.lock held ---- */

static void lose_connection(const char *why)
{
    if (!conn.lost)
        gm_log_error("lost the connection to the worker at %s: %s", conn.peer, why);
    conn.lost = 1;
    if (conn.fd >= 0)
        close(conn.fd);
    conn.fd = -1;
    conn.out.len = 0;
}

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

/* Writes the queued frames, then data (may be empty), in one sendmsg batch. */
static int flush_with(const void *data, size_t data_len)
{
    struct iovec iov[2];
    int n = 0;
    if (conn.out.len)
        iov[n++] = (struct iovec){ conn.out.data, conn.out.len };
    if (data_len)
        iov[n++] = (struct iovec){ (void *)data, data_len };
    if (n == 0)
        return 0;
    if (gm_send_iov(conn.fd, iov, n) != 0) {
        char why[160];
        snprintf(why, sizeof why, "sending: %s", strerror(errno));
        lose_connection(why);
        return -1;
    }
    conn.out.len = 0;
    return 0;
}

/*
 * Appends a frame header (with the next seq) and body to the out buffer; returns the header's
 * offset, or -1 when out of memory (nothing queued, no seq used).
 */
static long queue_frame(uint16_t op, uint16_t flags, const struct gm_buf *body, size_t data_len)
{
    size_t body_len = body ? body->len : 0;
    size_t at = gm_frame_put_header(&conn.out, op, flags, conn.next_seq, body_len + data_len);
    if (body_len)
        gm_buf_put_bytes(&conn.out, body->data, body_len);
    if (conn.out.failed) {
        conn.out.failed = 0;
        conn.out.len = at;
        return -1;
    }
    conn.next_seq++;
    return (long)at;
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

/*
 * Sends queued ASYNC frames FLUSH_DELAY_US after the first of them was queued, so work reaches
 * the worker even when the program makes no further call for a while; batching stays intact.
 */
static void *flusher_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&conn.lock);
    for (;;) {
        while (conn.out.len == 0 || !usable())
            pthread_cond_wait(&queued, &conn.lock);
        pthread_mutex_unlock(&conn.lock);
        struct timespec delay = { .tv_nsec = FLUSH_DELAY_US * 1000 };
        nanosleep(&delay, NULL);
        pthread_mutex_lock(&conn.lock);
        if (usable())
            flush_with(NULL, 0);
    }
    return NULL;
}

static void start_flusher(void)
{
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

void gm_transport_attach(int fd, const char *peer)
{
    static pthread_once_t flusher_once = PTHREAD_ONCE_INIT;
    pthread_once(&flusher_once, start_flusher);
    pthread_mutex_lock(&conn.lock);
    conn.fd = fd;
    conn.lost = 0;
    conn.owner = getpid();
    conn.next_seq = 1;
    snprintf(conn.peer, sizeof conn.peer, "%s", peer);
    pthread_mutex_unlock(&conn.lock);
}

CUresult gm_transport_post(uint16_t op, const struct gm_buf *body, const void *data, size_t data_len)
{
    CUresult rc = check_frame_size(op, body, data_len);
    if (rc != CUDA_SUCCESS)
        return rc;
    pthread_mutex_lock(&conn.lock);
    rc = GM_LINK_ERROR;
    if (!usable())
        goto out;
    size_t frame_len = GM_FRAME_HEADER_SIZE + (body ? body->len : 0) + data_len;
    if (conn.out.len + frame_len > OUT_BUFFER_LIMIT && flush_with(NULL, 0) != 0)
        goto out;
    int was_empty = conn.out.len == 0;
    if (frame_len <= OUT_BUFFER_LIMIT && gm_buf_reserve(&conn.out, frame_len) != 0) {
        conn.out.failed = 0;
        rc = CUDA_ERROR_OUT_OF_MEMORY;
        goto out;
    }
    if (queue_frame(op, 0, body, data_len) < 0) {
        rc = CUDA_ERROR_OUT_OF_MEMORY;
        goto out;
    }
    if (frame_len <= OUT_BUFFER_LIMIT) {
        gm_buf_put_bytes(&conn.out, data, data_len); /* room reserved above: cannot fail */
        if (was_empty)
            pthread_cond_signal(&queued);
    } else if (flush_with(data, data_len) != 0) {
        goto out; /* a bulk copy goes straight from the program's memory to the socket */
    }
    rc = CUDA_SUCCESS;
out:
    pthread_mutex_unlock(&conn.lock);
    return rc;
}

CUresult gm_transport_call(const struct gm_call *call)
{
    CUresult rc = check_frame_size(call->op, call->body, call->data_len);
    if (rc != CUDA_SUCCESS)
        return rc;
    char msg[512] = "";
    pthread_mutex_lock(&conn.lock);
    rc = GM_LINK_ERROR;
    if (!usable())
        goto out;
    uint64_t seq = conn.next_seq;
    if (queue_frame(call->op, GM_FLAG_REPLY_WANTED, call->body, call->data_len) < 0) {
        rc = CUDA_ERROR_OUT_OF_MEMORY;
        goto out;
    }
    if (flush_with(call->data, call->data_len) != 0)
        goto out;
    rc = gm_read_reply(conn.fd, seq, call->results, call->sink, call->sink_len, &conn.scratch, msg, sizeof msg);
    if (rc == GM_LINK_ERROR) {
        lose_connection(msg);
        goto out;
    }
    if (rc != CUDA_SUCCESS && rc != CUDA_ERROR_NOT_READY)
        gm_log_debug("%s (seq %llu) failed: %s: %s", gm_op_name(call->op), (unsigned long long)seq,
                     gm_error_name(rc), msg);
out:
    pthread_mutex_unlock(&conn.lock);
    return rc;
}

void gm_transport_goodbye(void)
{
    pthread_mutex_lock(&conn.lock);
    if (!usable())
        goto out;
    struct timeval timeout = { .tv_sec = GOODBYE_TIMEOUT_S };
    setsockopt(conn.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char msg[256] = "";
    uint64_t seq = conn.next_seq;
    if (queue_frame(GM_OP_GOODBYE, GM_FLAG_REPLY_WANTED, NULL, 0) < 0 || flush_with(NULL, 0) != 0)
        goto out;
    CUresult rc = gm_read_reply(conn.fd, seq, NULL, NULL, 0, &conn.scratch, msg, sizeof msg);
    if (rc != CUDA_SUCCESS)
        gm_log_debug("GOODBYE: %s %s", gm_error_name(rc), msg);
    close(conn.fd);
    conn.fd = -1;
    conn.lost = 1;
out:
    pthread_mutex_unlock(&conn.lock);
}

/* fork() while another thread holds the lock would leave the child's copy locked forever. */
static void before_fork(void) { pthread_mutex_lock(&conn.lock); }
static void after_fork(void) { pthread_mutex_unlock(&conn.lock); }

__attribute__((constructor)) static void install_fork_handlers(void)
{
    pthread_atfork(before_fork, after_fork, after_fork);
}
