/* The session connection: framing, pipelining and request/reply; see transport.h. */
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gm.h"
#include "log.h"

#define OUT_BUFFER_LIMIT (64u * 1024)
#define CONNECT_TIMEOUT_MS 10000
#define GOODBYE_TIMEOUT_S 5

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

/* ---- socket I/O ---- */

static int send_iov(int fd, struct iovec *iov, int count)
{
    while (count > 0) {
        struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)count };
        ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        while (count > 0 && (size_t)n >= iov->iov_len) {
            n -= (ssize_t)iov->iov_len;
            iov++;
            count--;
        }
        if (count > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + n;
            iov->iov_len -= (size_t)n;
        }
    }
    return 0;
}

static int recv_all(int fd, void *dst, size_t len)
{
    uint8_t *p = dst;
    while (len > 0) {
        ssize_t n = recv(fd, p, len, 0);
        if (n == 0) {
            errno = ECONNRESET;
            return -1;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int discard(int fd, size_t len)
{
    uint8_t sink[4096];
    while (len > 0) {
        size_t n = len < sizeof sink ? len : sizeof sink;
        if (recv_all(fd, sink, n) != 0)
            return -1;
        len -= n;
    }
    return 0;
}

int gm_tcp_connect(const char *host, uint16_t port, char *err, size_t err_len)
{
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *list = NULL;
    int rc = getaddrinfo(host, service, &hints, &list);
    if (rc != 0) {
        snprintf(err, err_len, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    snprintf(err, err_len, "no address for %s", host);
    for (struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            snprintf(err, err_len, "socket: %s", strerror(errno));
            continue;
        }
        int flags = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        int done = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
        if (!done && errno == EINPROGRESS) {
            struct pollfd pfd = { .fd = fd, .events = POLLOUT };
            int ready = poll(&pfd, 1, CONNECT_TIMEOUT_MS);
            int so_error = 0;
            socklen_t so_len = sizeof so_error;
            if (ready == 0)
                so_error = ETIMEDOUT;
            else if (ready < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) != 0)
                so_error = errno;
            done = so_error == 0;
            errno = so_error;
        }
        if (!done) {
            snprintf(err, err_len, "%s", strerror(errno));
            close(fd);
            fd = -1;
            continue;
        }
        fcntl(fd, F_SETFL, flags);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    freeaddrinfo(list);
    return fd;
}

/*
 * Reads the reply to seq: header, i32 status, then either the results (into results or sink)
 * or the error message (into msg). Returns the status, or GM_LINK_ERROR with the reason in msg.
 */
static CUresult read_reply(int fd, uint64_t seq, struct gm_buf *results, void *sink, size_t sink_len,
                           char *msg, size_t msg_len)
{
    uint8_t raw[GM_FRAME_HEADER_SIZE + 4];
    struct gm_frame_header h;
    if (recv_all(fd, raw, GM_FRAME_HEADER_SIZE) != 0) {
        snprintf(msg, msg_len, "reading a reply: %s", strerror(errno));
        return GM_LINK_ERROR;
    }
    if (gm_frame_decode_header(raw, &h, msg, msg_len) != 0)
        return GM_LINK_ERROR;
    if (h.op != GM_OP_REPLY || h.seq != seq || h.length < GM_FRAME_MIN_LENGTH + 4) {
        snprintf(msg, msg_len, "expected the REPLY to seq %llu, got op 0x%04x (%s) seq %llu length %u",
                 (unsigned long long)seq, h.op, gm_op_name(h.op), (unsigned long long)h.seq, h.length);
        return GM_LINK_ERROR;
    }
    if (recv_all(fd, raw + GM_FRAME_HEADER_SIZE, 4) != 0) {
        snprintf(msg, msg_len, "reading a reply status: %s", strerror(errno));
        return GM_LINK_ERROR;
    }
    struct gm_reader r;
    gm_reader_init(&r, raw + GM_FRAME_HEADER_SIZE, 4);
    CUresult status = (CUresult)gm_get_i32(&r);
    size_t rest = h.length - GM_FRAME_MIN_LENGTH - 4;
    if (status == CUDA_SUCCESS && sink != NULL) {
        if (rest != sink_len) {
            snprintf(msg, msg_len, "reply to seq %llu carries %zu bytes, expected %zu",
                     (unsigned long long)seq, rest, sink_len);
            return GM_LINK_ERROR;
        }
        if (recv_all(fd, sink, rest) != 0) {
            snprintf(msg, msg_len, "reading reply data: %s", strerror(errno));
            return GM_LINK_ERROR;
        }
        return status;
    }
    struct gm_buf *into = status == CUDA_SUCCESS ? results : &conn.scratch;
    if (into == NULL) {
        if (discard(fd, rest) != 0) {
            snprintf(msg, msg_len, "reading a reply: %s", strerror(errno));
            return GM_LINK_ERROR;
        }
        return status;
    }
    into->len = 0;
    if (gm_buf_reserve(into, rest) != 0) {
        snprintf(msg, msg_len, "no memory for a reply of %zu bytes", rest);
        return GM_LINK_ERROR;
    }
    if (recv_all(fd, into->data, rest) != 0) {
        snprintf(msg, msg_len, "reading a reply: %s", strerror(errno));
        return GM_LINK_ERROR;
    }
    into->len = rest;
    if (status != CUDA_SUCCESS) {
        gm_reader_init(&r, into->data, into->len);
        gm_get_str(&r, msg, msg_len);
    }
    return status;
}

CUresult gm_exchange(int fd, uint16_t op, const struct gm_buf *body, struct gm_buf *results,
                     char *msg, size_t msg_len)
{
    struct gm_buf frame;
    gm_buf_init(&frame);
    size_t body_len = body ? body->len : 0;
    gm_frame_put_header(&frame, op, GM_FLAG_REPLY_WANTED, 0, body_len);
    if (body_len)
        gm_buf_put_bytes(&frame, body->data, body_len);
    CUresult rc = GM_LINK_ERROR;
    msg[0] = '\0';
    struct iovec iov = { frame.data, frame.len };
    if (frame.failed)
        snprintf(msg, msg_len, "no memory for a %s frame", gm_op_name(op));
    else if (send_iov(fd, &iov, 1) != 0)
        snprintf(msg, msg_len, "sending %s: %s", gm_op_name(op), strerror(errno));
    else
        rc = read_reply(fd, 0, results, NULL, 0, msg, msg_len);
    gm_buf_free(&frame);
    return rc;
}

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
        close(conn.fd);
        conn.fd = -1;
        conn.lost = 1;
    }
    return conn.fd >= 0 && !conn.lost;
}

/* Writes queued frames, then head and data (either may be empty) in one sendmsg batch. */
static int flush_with(const void *head, size_t head_len, const void *data, size_t data_len)
{
    struct iovec iov[3];
    int n = 0;
    if (conn.out.len)
        iov[n++] = (struct iovec){ conn.out.data, conn.out.len };
    if (head_len)
        iov[n++] = (struct iovec){ (void *)head, head_len };
    if (data_len)
        iov[n++] = (struct iovec){ (void *)data, data_len };
    if (n == 0)
        return 0;
    if (send_iov(conn.fd, iov, n) != 0) {
        char why[160];
        snprintf(why, sizeof why, "sending: %s", strerror(errno));
        lose_connection(why);
        return -1;
    }
    conn.out.len = 0;
    return 0;
}

/* Appends a frame header + body to the out buffer; returns the header's offset or -1. */
static long queue_frame(uint16_t op, uint16_t flags, uint64_t seq, const struct gm_buf *body, size_t data_len)
{
    size_t body_len = body ? body->len : 0;
    size_t at = gm_frame_put_header(&conn.out, op, flags, seq, body_len + data_len);
    if (body_len)
        gm_buf_put_bytes(&conn.out, body->data, body_len);
    if (conn.out.failed) {
        conn.out.failed = 0;
        conn.out.len = at;
        return -1;
    }
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

void gm_transport_attach(int fd, const char *peer)
{
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
    if (conn.out.len + frame_len > OUT_BUFFER_LIMIT && flush_with(NULL, 0, NULL, 0) != 0)
        goto out;
    uint64_t seq = conn.next_seq++;
    long at = queue_frame(op, 0, seq, body, data_len);
    if (at < 0) {
        rc = CUDA_ERROR_OUT_OF_MEMORY;
        goto out;
    }
    if (frame_len <= OUT_BUFFER_LIMIT) {
        gm_buf_put_bytes(&conn.out, data, data_len);
        if (conn.out.failed) {
            conn.out.failed = 0;
            conn.out.len = (size_t)at;
            rc = CUDA_ERROR_OUT_OF_MEMORY;
            goto out;
        }
    } else if (flush_with(NULL, 0, data, data_len) != 0) {
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
    uint64_t seq = conn.next_seq++;
    if (queue_frame(call->op, GM_FLAG_REPLY_WANTED, seq, call->body, call->data_len) < 0) {
        rc = CUDA_ERROR_OUT_OF_MEMORY;
        goto out;
    }
    if (flush_with(NULL, 0, call->data, call->data_len) != 0)
        goto out;
    rc = read_reply(conn.fd, seq, call->results, call->sink, call->sink_len, msg, sizeof msg);
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
    uint64_t seq = conn.next_seq++;
    if (queue_frame(GM_OP_GOODBYE, GM_FLAG_REPLY_WANTED, seq, NULL, 0) < 0 || flush_with(NULL, 0, NULL, 0) != 0)
        goto out;
    CUresult rc = read_reply(conn.fd, seq, NULL, NULL, 0, msg, sizeof msg);
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
