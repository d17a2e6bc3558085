/* The fake agent and worker of test_session; see fake_worker.h. */
#include "fake_worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SESSION_ID 42
#define SECRET "s3cret"

static int agent_fd = -1, worker_fd = -1;
static int worker_port;
static pthread_t agent_thread, worker_thread;

static void protocol_error(const char *what)
{
    if (fake_stats.protocol_errors++ == 0)
        snprintf(fake_stats.errors, sizeof fake_stats.errors, "%s", what);
}

static void *agent_main(void *unused)
{
    (void)unused;
    int fd = fake_accept(agent_fd);
    struct gm_frame_header h;
    uint8_t *body = NULL;
    if (fake_read_frame(fd, &h, &body) == 0 && h.op == GM_OP_HELLO && h.seq == 0) {
        struct gm_reader r;
        char token[64], program[64];
        gm_reader_init(&r, body, h.length - GM_FRAME_MIN_LENGTH);
        int version_ok = fake_check_version(&r);
        gm_get_str(&r, token, sizeof token);
        gm_get_str(&r, program, sizeof program);
        uint32_t pid = gm_get_u32(&r);
        fake_stats.hello_ok = version_ok && !r.failed && strcmp(token, FAKE_TOKEN) == 0 && program[0] != '\0';
        fake_stats.hello_pid = pid;
        struct gm_buf out;
        gm_buf_init(&out);
        gm_buf_put_u64(&out, SESSION_ID);
        gm_buf_put_str(&out, "127.0.0.1");
        gm_buf_put_u16(&out, (uint16_t)worker_port);
        gm_buf_put_str(&out, SECRET);
        fake_reply(fd, 0, 0, &out);
        gm_buf_free(&out);
    }
    free(body);
    close(fd);
    return NULL;
}

static void *worker_main(void *unused)
{
    (void)unused;
    int fd = fake_accept(worker_fd);
    struct gm_frame_header h;
    uint8_t *body = NULL;
    uint64_t expected_seq = 1;
    struct gm_buf out;
    gm_buf_init(&out);
    if (fake_read_frame(fd, &h, &body) != 0 || h.op != GM_OP_ATTACH)
        goto out;
    struct gm_reader r;
    char secret[32];
    gm_reader_init(&r, body, h.length - GM_FRAME_MIN_LENGTH);
    int version_ok = fake_check_version(&r);
    uint64_t session = gm_get_u64(&r);
    gm_get_str(&r, secret, sizeof secret);
    fake_stats.attach_ok = version_ok && session == SESSION_ID && strcmp(secret, SECRET) == 0 && h.seq == 0;
    gm_buf_put_u64(&out, 0);
    fake_reply(fd, 0, 0, &out);
    free(body);
    while (fake_read_frame(fd, &h, &body) == 0) {
        fake_stats.frames++;
        int kind = gm_op_kind(h.op);
        char what[160];
        if (h.seq != expected_seq) {
            snprintf(what, sizeof what, "%s has seq %llu, expected %llu", gm_op_name(h.op),
                     (unsigned long long)h.seq, (unsigned long long)expected_seq);
            protocol_error(what);
        }
        expected_seq = h.seq + 1;
        if ((kind == GM_KIND_ASYNC) == ((h.flags & GM_FLAG_REPLY_WANTED) != 0)) {
            snprintf(what, sizeof what, "%s (kind %d) has flags 0x%x", gm_op_name(h.op), kind, h.flags);
            protocol_error(what);
        }
        gm_reader_init(&r, body, h.length - GM_FRAME_MIN_LENGTH);
        fake_device_call(h.op, h.flags, h.seq, &r, &out, fd);
        free(body);
        if (h.op == GM_OP_GOODBYE) {
            fake_stats.goodbye = 1;
            body = NULL;
            break;
        }
    }
out:
    free(body);
    gm_buf_free(&out);
    close(fd);
    return NULL;
}

int fake_start(void)
{
    int agent_port;
    fake_device_reset();
    agent_fd = fake_listen(&agent_port);
    worker_fd = fake_listen(&worker_port);
    pthread_create(&agent_thread, NULL, agent_main, NULL);
    pthread_create(&worker_thread, NULL, worker_main, NULL);
    return agent_port;
}

const struct fake_stats *fake_wait(void)
{
    /* Wakes threads still blocked in accept (a client that never connected). */
    shutdown(agent_fd, SHUT_RDWR);
    shutdown(worker_fd, SHUT_RDWR);
    pthread_join(agent_thread, NULL);
    pthread_join(worker_thread, NULL);
    close(agent_fd);
    close(worker_fd);
    fake_device_free();
    fake_forget_window_after(0);
    return &fake_stats;
}

uint64_t fake_launches(void)
{
    return __atomic_load_n(&fake_stats.launches, __ATOMIC_RELAXED);
}
