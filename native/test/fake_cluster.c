/* The scripted agent and workers of test_migrate; see fake_cluster.h. */
#include "fake_cluster.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

static struct fake_cluster_plan plan;
static struct fake_cluster_seen seen;
static int agent_fd, worker_fd[FAKE_WORKERS], worker_port[FAKE_WORKERS];
static pthread_t agent_thread, worker_thread[FAKE_WORKERS];
static uint64_t applied_max; /* the last seq applied by any worker: the session's lastApplied */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

static void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void error(const char *fmt, ...)
{
    pthread_mutex_lock(&seen_lock);
    if (seen.errors++ == 0) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(seen.error, sizeof seen.error, fmt, args);
        va_end(args);
    }
    pthread_mutex_unlock(&seen_lock);
}

static void secret_of(int i, char *secret, size_t len)
{
    snprintf(secret, len, "secret-%d", i);
}

/* host, port, secret of worker i: the tail of MIGRATED and of SESSION_LOCATE's reply */
static void put_address(struct gm_buf *b, int i)
{
    char secret[32];
    secret_of(i, secret, sizeof secret);
    gm_buf_put_str(b, "127.0.0.1");
    gm_buf_put_u16(b, (uint16_t)worker_port[i]);
    gm_buf_put_str(b, secret);
}

static void answer_agent_call(int fd, const struct gm_frame_header *h, struct gm_reader *r)
{
    struct gm_buf out;
    gm_buf_init(&out);
    char token[64];
    if (h->op == GM_OP_HELLO) {
        __atomic_add_fetch(&seen.hellos, 1, __ATOMIC_RELAXED);
        gm_buf_put_u64(&out, FAKE_SESSION);
        put_address(&out, 0);
        fake_reply(fd, h->seq, 0, &out);
    } else if (h->op == GM_OP_SESSION_LOCATE) {
        uint64_t session = gm_get_u64(r);
        gm_get_str(r, token, sizeof token);
        int nth = __atomic_add_fetch(&seen.locates, 1, __ATOMIC_RELAXED);
        if (!r->failed && session == FAKE_SESSION && strcmp(token, FAKE_TOKEN) == 0 && h->seq != 0
            && (h->flags & GM_FLAG_REPLY_WANTED))
            __atomic_add_fetch(&seen.locates_ok, 1, __ATOMIC_RELAXED);
        if (plan.locate_to >= 0 && nth > plan.locate_misses) {
            put_address(&out, plan.locate_to);
            fake_reply(fd, h->seq, 0, &out);
        } else {
            gm_buf_put_str(&out, "no such session here");
            fake_reply(fd, h->seq, 500, &out);
        }
    } else {
        error("the agent got op 0x%04x", h->op);
    }
    gm_buf_free(&out);
}

static void *agent_main(void *unused)
{
    (void)unused;
    int fd;
    while ((fd = fake_accept(agent_fd)) >= 0) {
        struct gm_frame_header h;
        uint8_t *body = NULL;
        if (fake_read_frame(fd, &h, &body) == 0) {
            struct gm_reader r;
            gm_reader_init(&r, body, h.length - GM_FRAME_MIN_LENGTH);
            answer_agent_call(fd, &h, &r);
            if (h.op == GM_OP_HELLO && plan.agent_leaves)
                shutdown(agent_fd, SHUT_RDWR); /* from now on, connecting is refused */
        }
        free(body);
        close(fd);
    }
    return NULL;
}

/* Leaves as the plan says; the connection is closed after. */
static void leave(int fd, const struct fake_plan *p)
{
    if (p->exit == FAKE_MIGRATED || p->exit == FAKE_MIGRATED_ABRUPT) {
        struct gm_buf f;
        gm_buf_init(&f);
        gm_frame_put_header(&f, GM_OP_MIGRATED, 0, 0, 0);
        gm_buf_put_u64(&f, FAKE_SESSION);
        put_address(&f, p->target);
        gm_frame_encode_header(f.data, GM_OP_MIGRATED, 0, 0, f.len - GM_FRAME_HEADER_SIZE);
        send(fd, f.data, f.len, MSG_NOSIGNAL);
        gm_buf_free(&f);
    }
    if (p->exit == FAKE_CHECKPOINTED) {
        struct gm_buf f;
        gm_buf_init(&f);
        gm_frame_put_header(&f, GM_OP_CHECKPOINTED, 0, 0, 0);
        gm_buf_put_u64(&f, FAKE_SESSION);
        gm_buf_put_str(&f, FAKE_IMAGE);
        gm_frame_encode_header(f.data, GM_OP_CHECKPOINTED, 0, 0, f.len - GM_FRAME_HEADER_SIZE);
        send(fd, f.data, f.len, MSG_NOSIGNAL);
        gm_buf_free(&f);
    }
    if (p->exit == FAKE_MIGRATED || p->exit == FAKE_CHECKPOINTED) {
        uint8_t sink[65536];
        shutdown(fd, SHUT_WR);
        while (recv(fd, sink, sizeof sink, 0) > 0)
            ; /* until the client has closed its side */
    }
}

/* ATTACH: checks it and answers with the session's lastApplied. Returns that, or -1. */
static int64_t attach(int fd, int i, struct fake_worker_seen *s)
{
    struct gm_frame_header h;
    uint8_t *body = NULL;
    if (fake_read_frame(fd, &h, &body) != 0 || h.op != GM_OP_ATTACH) {
        free(body);
        return -1;
    }
    struct gm_reader r;
    char secret[64], expected[32];
    gm_reader_init(&r, body, h.length - GM_FRAME_MIN_LENGTH);
    int version_ok = fake_check_version(&r);
    uint64_t session = gm_get_u64(&r);
    gm_get_str(&r, secret, sizeof secret);
    secret_of(i, expected, sizeof expected);
    s->attached = version_ok && !r.failed && session == FAKE_SESSION && strcmp(secret, expected) == 0;
    free(body);
    uint64_t applied = __atomic_load_n(&applied_max, __ATOMIC_ACQUIRE);
    s->attach_applied = applied;
    struct gm_buf out;
    gm_buf_init(&out);
    gm_buf_put_u64(&out, applied);
    fake_reply(fd, 0, 0, &out);
    gm_buf_free(&out);
    if (i > 0 && plan.attach_notify_fd >= 0 && write(plan.attach_notify_fd, "a", 1) != 1)
        error("worker %d could not tell the program it attached", i);
    return (int64_t)applied;
}

/* Records a frame's arrival and checks its seq and flags against what came before. */
static void receive(int i, struct fake_worker_seen *s, const struct gm_frame_header *h, uint64_t attach_applied,
                    uint64_t *unanswered_bytes, uint64_t *unanswered_frames)
{
    if (s->first_seq == 0)
        s->first_seq = h->seq;
    else if (h->seq != s->last_seq + 1)
        error("worker %d got seq %llu after %llu", i, (unsigned long long)h->seq, (unsigned long long)s->last_seq);
    if (h->seq <= attach_applied)
        error("worker %d got seq %llu, at or below the lastApplied %llu its ATTACH reported", i,
              (unsigned long long)h->seq, (unsigned long long)attach_applied);
    int async = gm_op_kind(h->op) == GM_KIND_ASYNC;
    if (async == ((h->flags & GM_FLAG_REPLY_WANTED) != 0))
        error("worker %d: %s (seq %llu) has flags 0x%x", i, gm_op_name(h->op), (unsigned long long)h->seq, h->flags);
    s->last_seq = h->seq;
    s->frames++;
    *unanswered_bytes += h->length + 4;
    *unanswered_frames += 1;
    if (*unanswered_bytes > s->max_unanswered_bytes)
        s->max_unanswered_bytes = *unanswered_bytes;
    if (*unanswered_frames > s->max_unanswered_frames)
        s->max_unanswered_frames = *unanswered_frames;
}

static void *worker_main(void *arg)
{
    int i = (int)(intptr_t)arg;
    const struct fake_plan *p = &plan.workers[i];
    struct fake_worker_seen *s = &seen.workers[i];
    int fd = fake_accept(worker_fd[i]);
    if (fd < 0)
        return NULL;
    int64_t attach_applied = attach(fd, i, s);
    struct gm_frame_header h;
    uint8_t *body = NULL;
    struct gm_buf out;
    gm_buf_init(&out);
    uint64_t unanswered_bytes = 0, unanswered_frames = 0;
    int paused = 0;
    while (attach_applied >= 0 && fake_read_frame(fd, &h, &body) == 0) {
        receive(i, s, &h, (uint64_t)attach_applied, &unanswered_bytes, &unanswered_frames);
        int wants_reply = (h.flags & GM_FLAG_REPLY_WANTED) != 0;
        paused = paused || (p->apply_until != 0 && h.seq > p->apply_until);
        if (!paused) {
            uint64_t last = __atomic_load_n(&applied_max, __ATOMIC_ACQUIRE);
            if (h.seq != last + 1)
                error("worker %d applies seq %llu after the session's %llu", i, (unsigned long long)h.seq,
                      (unsigned long long)last);
            struct gm_reader r;
            gm_reader_init(&r, body, h.length - GM_FRAME_MIN_LENGTH);
            fake_device_call(h.op, h.flags, h.seq, &r, &out, fd);
            __atomic_store_n(&applied_max, h.seq, __ATOMIC_RELEASE);
            s->applied++;
            s->acks += h.op == GM_OP_ACK;
            if (wants_reply)
                unanswered_bytes = unanswered_frames = 0;
        }
        free(body);
        body = NULL;
        if (!paused && h.op == GM_OP_GOODBYE) {
            s->goodbye = 1;
            break;
        }
        if (h.seq == p->leave_at || (paused && wants_reply)) {
            leave(fd, p);
            break;
        }
    }
    free(body);
    gm_buf_free(&out);
    close(fd);
    return NULL;
}

int fake_cluster_start(const struct fake_cluster_plan *cluster_plan)
{
    int agent_port;
    plan = *cluster_plan;
    memset(&seen, 0, sizeof seen);
    applied_max = 0;
    fake_device_reset();
    agent_fd = fake_listen(&agent_port);
    for (int i = 0; i < FAKE_WORKERS; i++)
        worker_fd[i] = fake_listen(&worker_port[i]);
    pthread_create(&agent_thread, NULL, agent_main, NULL);
    for (int i = 0; i < FAKE_WORKERS; i++)
        pthread_create(&worker_thread[i], NULL, worker_main, (void *)(intptr_t)i);
    return agent_port;
}

int fake_cluster_worker_port(int i)
{
    return worker_port[i];
}

const struct fake_cluster_seen *fake_cluster_stop(void)
{
    /* Wakes threads still blocked in accept (workers the client never reached). */
    shutdown(agent_fd, SHUT_RDWR);
    for (int i = 0; i < FAKE_WORKERS; i++)
        shutdown(worker_fd[i], SHUT_RDWR);
    pthread_join(agent_thread, NULL);
    for (int i = 0; i < FAKE_WORKERS; i++)
        pthread_join(worker_thread[i], NULL);
    close(agent_fd);
    for (int i = 0; i < FAKE_WORKERS; i++)
        close(worker_fd[i]);
    fake_device_free();
    return &seen;
}
