/* Socket I/O and reply reading for the wire protocol; see socket.h. */
#include "socket.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 10000

int gm_send_iov(int fd, struct iovec *iov, int count)
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

/*
 * How long a reader polls before it sleeps in recv: a reply usually follows its call within
 * tens of microseconds, and a thread that sleeps pays a wakeup to get it (several
 * microseconds, more where the core dozes). GPUMIGRATE_SPIN_US, 0 to 1000; default 50 on
 * machines with at least 4 CPUs, else 0 (there the spinning thread would take the CPU that
 * the worker needs to answer).
 */
static long spin_ns(void)
{
    static long ns = -1;
    if (ns < 0) {
        const char *value = getenv("GPUMIGRATE_SPIN_US");
        long us = value && *value ? strtol(value, NULL, 10) : (sysconf(_SC_NPROCESSORS_ONLN) >= 4 ? 50 : 0);
        ns = (us < 0 ? 0 : us > 1000 ? 1000 : us) * 1000;
    }
    return ns;
}

static long elapsed_ns(const struct timespec *since)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - since->tv_sec) * 1000000000L + (t.tv_nsec - since->tv_nsec);
}

/* recv that polls for up to spin_ns() before it blocks. */
static ssize_t recv_soon(int fd, void *p, size_t len)
{
    long spin = spin_ns();
    if (spin > 0) {
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        do {
            ssize_t n = recv(fd, p, len, MSG_DONTWAIT);
            if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                return n;
        } while (elapsed_ns(&start) < spin);
    }
    return recv(fd, p, len, 0);
}

static int recv_all(int fd, void *dst, size_t len)
{
    uint8_t *p = dst;
    while (len > 0) {
        ssize_t n = recv_soon(fd, p, len);
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

int gm_recv_header(int fd, struct gm_frame_header *h, char *msg, size_t msg_len)
{
    uint8_t raw[GM_FRAME_HEADER_SIZE];
    if (recv_all(fd, raw, sizeof raw) != 0) {
        snprintf(msg, msg_len, "reading a frame: %s", strerror(errno));
        return -1;
    }
    return gm_frame_decode_header(raw, h, msg, msg_len);
}

int gm_recv_body(int fd, const struct gm_frame_header *h, struct gm_buf *into, char *msg, size_t msg_len)
{
    size_t n = h->length - GM_FRAME_MIN_LENGTH;
    into->len = 0;
    if (gm_buf_reserve(into, n) != 0) {
        into->failed = 0;
        snprintf(msg, msg_len, "no memory for a %s frame of %zu bytes", gm_op_name(h->op), n);
        return -1;
    }
    if (recv_all(fd, into->data, n) != 0) {
        snprintf(msg, msg_len, "reading a %s frame: %s", gm_op_name(h->op), strerror(errno));
        return -1;
    }
    into->len = n;
    return 0;
}

int gm_recv_reply_body(int fd, const struct gm_frame_header *h, struct gm_buf *results, void *sink, size_t sink_len,
                       struct gm_buf *scratch, CUresult *status_out, char *msg, size_t msg_len)
{
    uint8_t raw[4];
    if (h->length < GM_FRAME_MIN_LENGTH + 4) {
        snprintf(msg, msg_len, "the REPLY to seq %llu has %u bytes, fewer than its status",
                 (unsigned long long)h->seq, h->length);
        return -1;
    }
    if (recv_all(fd, raw, 4) != 0) {
        snprintf(msg, msg_len, "reading a reply status: %s", strerror(errno));
        return -1;
    }
    struct gm_reader r;
    gm_reader_init(&r, raw, 4);
    CUresult status = (CUresult)gm_get_i32(&r);
    *status_out = status;
    size_t rest = h->length - GM_FRAME_MIN_LENGTH - 4;
    if (status == CUDA_SUCCESS && sink != NULL) {
        if (rest != sink_len) {
            snprintf(msg, msg_len, "reply to seq %llu carries %zu bytes, expected %zu",
                     (unsigned long long)h->seq, rest, sink_len);
            return -1;
        }
        if (recv_all(fd, sink, rest) != 0) {
            snprintf(msg, msg_len, "reading reply data: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    struct gm_buf *into = status == CUDA_SUCCESS ? results : scratch;
    if (into == NULL) {
        if (discard(fd, rest) != 0) {
            snprintf(msg, msg_len, "reading a reply: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    into->len = 0;
    if (gm_buf_reserve(into, rest) != 0) {
        snprintf(msg, msg_len, "no memory for a reply of %zu bytes", rest);
        return -1;
    }
    if (recv_all(fd, into->data, rest) != 0) {
        snprintf(msg, msg_len, "reading a reply: %s", strerror(errno));
        return -1;
    }
    into->len = rest;
    if (status != CUDA_SUCCESS) {
        gm_reader_init(&r, into->data, into->len);
        gm_get_str(&r, msg, msg_len);
    }
    return 0;
}

CUresult gm_read_reply(int fd, uint64_t seq, struct gm_buf *results, void *sink, size_t sink_len,
                       struct gm_buf *scratch, char *msg, size_t msg_len)
{
    struct gm_frame_header h;
    if (gm_recv_header(fd, &h, msg, msg_len) != 0)
        return GM_LINK_ERROR;
    if (h.op != GM_OP_REPLY || h.seq != seq) {
        snprintf(msg, msg_len, "expected the REPLY to seq %llu, got op 0x%04x (%s) seq %llu length %u",
                 (unsigned long long)seq, h.op, gm_op_name(h.op), (unsigned long long)h.seq, h.length);
        return GM_LINK_ERROR;
    }
    CUresult status;
    if (gm_recv_reply_body(fd, &h, results, sink, sink_len, scratch, &status, msg, msg_len) != 0)
        return GM_LINK_ERROR;
    return status;
}

CUresult gm_exchange(int fd, uint16_t op, const struct gm_buf *body, struct gm_buf *results,
                     char *msg, size_t msg_len)
{
    return gm_exchange_at(fd, op, 0, body, results, msg, msg_len);
}

CUresult gm_exchange_at(int fd, uint16_t op, uint64_t seq, const struct gm_buf *body, struct gm_buf *results,
                        char *msg, size_t msg_len)
{
    struct gm_buf frame, scratch;
    gm_buf_init(&frame);
    gm_buf_init(&scratch);
    size_t body_len = body ? body->len : 0;
    gm_frame_put_header(&frame, op, GM_FLAG_REPLY_WANTED, seq, body_len);
    if (body_len)
        gm_buf_put_bytes(&frame, body->data, body_len);
    CUresult rc = GM_LINK_ERROR;
    msg[0] = '\0';
    struct iovec iov = { frame.data, frame.len };
    if (frame.failed)
        snprintf(msg, msg_len, "no memory for a %s frame", gm_op_name(op));
    else if (gm_send_iov(fd, &iov, 1) != 0)
        snprintf(msg, msg_len, "sending %s: %s", gm_op_name(op), strerror(errno));
    else
        rc = gm_read_reply(fd, seq, results, NULL, 0, &scratch, msg, msg_len);
    gm_buf_free(&frame);
    gm_buf_free(&scratch);
    return rc;
}
