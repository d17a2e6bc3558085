/* Reaching the session again: MIGRATED's address or SESSION_LOCATE, then ATTACH; see reconnect.h. */
#include "reconnect.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "session.h"
#include "socket.h"

#define LOCATE_SEQ 1 /* SESSION_LOCATE is the first (and only) call on its agent connection */

static struct {
    uint64_t session;
    char agent[300];
    char token[512];
} self;

/* Bounds how long reads on fd may block (0: no bound). */
static void set_read_timeout(int fd, int timeout_ms)
{
    struct timeval t = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t);
}

CUresult gm_attach_worker(const struct gm_worker_address *w, int timeout_ms, int *fd, uint64_t *last_applied,
                          char *err, size_t err_len)
{
    *fd = gm_tcp_connect(w->host, w->port, err, err_len);
    if (*fd < 0)
        return GM_LINK_ERROR;
    if (timeout_ms > 0)
        set_read_timeout(*fd, timeout_ms);
    struct gm_buf body, results;
    gm_buf_init(&body);
    gm_buf_init(&results);
    gm_buf_put_u32(&body, GM_PROTOCOL_MAGIC);
    gm_buf_put_u16(&body, GM_PROTOCOL_MAJOR);
    gm_buf_put_u16(&body, GM_PROTOCOL_MINOR);
    gm_buf_put_u64(&body, w->session);
    gm_buf_put_str(&body, w->secret);
    CUresult rc = gm_exchange(*fd, GM_OP_ATTACH, &body, &results, err, err_len);
    if (rc == CUDA_SUCCESS) {
        struct gm_reader r;
        gm_reader_init(&r, results.data, results.len);
        *last_applied = gm_get_u64(&r);
        if (r.failed) {
            snprintf(err, err_len, "the ATTACH reply has %zu bytes, not the 8 of lastApplied", results.len);
            rc = GM_LINK_ERROR;
        }
    }
    if (rc != CUDA_SUCCESS) {
        close(*fd);
        *fd = -1;
    } else if (timeout_ms > 0) {
        set_read_timeout(*fd, 0); /* a session's calls may take as long as they take */
    }
    gm_buf_free(&body);
    gm_buf_free(&results);
    return rc;
}

void gm_reconnect_setup(const char *agent, const char *token, uint64_t session)
{
    snprintf(self.agent, sizeof self.agent, "%s", agent);
    snprintf(self.token, sizeof self.token, "%s", token);
    self.session = session;
}

uint64_t gm_reconnect_session(void)
{
    return self.session;
}

/* Reads `str workerHost, u16 workerPort, str sessionSecret` (MIGRATED and SESSION_LOCATE share them). */
static int get_address(struct gm_reader *r, struct gm_worker_address *to)
{
    gm_get_str(r, to->host, sizeof to->host);
    to->port = gm_get_u16(r);
    gm_get_str(r, to->secret, sizeof to->secret);
    return r->failed || to->host[0] == '\0' || to->port == 0 ? -1 : 0;
}

int gm_parse_migrated(const struct gm_buf *body, struct gm_worker_address *to, char *err, size_t err_len)
{
    struct gm_reader r;
    gm_reader_init(&r, body->data, body->len);
    to->session = gm_get_u64(&r);
    if (get_address(&r, to) != 0) {
        snprintf(err, err_len, "MIGRATED of %zu bytes lacks a session, host, port (1..65535) or secret", body->len);
        return -1;
    }
    if (to->session != self.session) {
        snprintf(err, err_len, "MIGRATED names session %llu, but this is session %llu",
                 (unsigned long long)to->session, (unsigned long long)self.session);
        return -1;
    }
    return 0;
}

int gm_parse_checkpointed(const struct gm_buf *body, struct gm_worker_address *to, char *err, size_t err_len)
{
    struct gm_reader r;
    gm_reader_init(&r, body->data, body->len);
    memset(to, 0, sizeof *to);
    to->session = gm_get_u64(&r);
    gm_get_str(&r, to->image, sizeof to->image);
    if (r.failed) {
        snprintf(err, err_len, "CHECKPOINTED of %zu bytes lacks a session or a directory", body->len);
        return -1;
    }
    if (to->session != self.session) {
        snprintf(err, err_len, "CHECKPOINTED names session %llu, but this is session %llu",
                 (unsigned long long)to->session, (unsigned long long)self.session);
        return -1;
    }
    return 0;
}

int gm_worker_address_parked(const struct gm_worker_address *w)
{
    return w->port == 0;
}

/* SESSION_LOCATE to the agent: where the session lives now. 0, or -1 with the reason. */
static int locate(struct gm_worker_address *to, int timeout_ms, char *err, size_t err_len)
{
    char host[256], why[256];
    uint16_t port;
    if (gm_parse_address(self.agent, host, sizeof host, &port, why, sizeof why) != 0) {
        snprintf(err, err_len, "GPUMIGRATE_AGENT: %s", why);
        return -1;
    }
    int fd = gm_tcp_connect(host, port, why, sizeof why);
    if (fd < 0) {
        snprintf(err, err_len, "cannot reach the agent at %s to locate the session: %s", self.agent, why);
        return -1;
    }
    set_read_timeout(fd, timeout_ms);
    struct gm_buf body, results;
    gm_buf_init(&body);
    gm_buf_init(&results);
    gm_buf_put_u64(&body, self.session);
    gm_buf_put_str(&body, self.token);
    int rc = -1;
    CUresult status = gm_exchange_at(fd, GM_OP_SESSION_LOCATE, LOCATE_SEQ, &body, &results, why, sizeof why);
    if (status != CUDA_SUCCESS) {
        if (status == GM_LINK_ERROR)
            snprintf(err, err_len, "the agent at %s did not answer SESSION_LOCATE: %s", self.agent, why);
        else
            snprintf(err, err_len, "the agent at %s did not locate session %llu: %s: %s", self.agent,
                     (unsigned long long)self.session, gm_error_name(status), why);
        goto out;
    }
    struct gm_reader r;
    gm_reader_init(&r, results.data, results.len);
    to->session = self.session;
    if (get_address(&r, to) != 0) {
        snprintf(err, err_len, "the SESSION_LOCATE reply of the agent at %s (%zu bytes) lacks a host, port or secret",
                 self.agent, results.len);
        goto out;
    }
    rc = 0;
out:
    close(fd);
    gm_buf_free(&body);
    gm_buf_free(&results);
    return rc;
}

int gm_reconnect_attempt(const struct gm_worker_address *to, int timeout_ms, uint64_t *last_applied, char *peer,
                         size_t peer_len, char *err, size_t err_len)
{
    struct gm_worker_address located;
    if (to == NULL) {
        if (locate(&located, timeout_ms, err, err_len) != 0)
            return -1;
        to = &located;
    }
    snprintf(peer, peer_len, "%s:%u", to->host, to->port);
    char why[256];
    int fd;
    CUresult rc = gm_attach_worker(to, timeout_ms, &fd, last_applied, why, sizeof why);
    if (rc != CUDA_SUCCESS) {
        snprintf(err, err_len, "ATTACH of session %llu at %s: %s%s%s", (unsigned long long)to->session, peer,
                 rc == GM_LINK_ERROR ? "" : gm_error_name(rc), rc == GM_LINK_ERROR ? "" : ": ", why);
        return -1;
    }
    return fd;
}

/* A number of seconds in (0, GM_RECONNECT_MAX_S] from the environment variable name, else fallback (logged when invalid). */
static double seconds_from_env(const char *name, double fallback)
{
    const char *text = getenv(name);
    if (text == NULL || text[0] == '\0')
        return fallback;
    char *tail;
    errno = 0;
    double value = strtod(text, &tail);
    if (errno != 0 || *tail != '\0' || !isfinite(value) || value <= 0 || value > GM_RECONNECT_MAX_S) {
        gm_log_error("%s '%s' is not a number of seconds in (0, %.0f]; using %.0f", name, text, GM_RECONNECT_MAX_S,
                     fallback);
        return fallback;
    }
    return value;
}

double gm_reconnect_timeout_s(void)
{
    static double timeout = -1; /* read under the transport's lock */
    if (timeout < 0)
        timeout = seconds_from_env("GPUMIGRATE_RECONNECT_TIMEOUT", GM_RECONNECT_DEFAULT_S);
    return timeout;
}

double gm_restore_timeout_s(void)
{
    static double timeout = -1; /* read under the transport's lock */
    if (timeout < 0)
        timeout = seconds_from_env("GPUMIGRATE_RESTORE_TIMEOUT", GM_RESTORE_DEFAULT_S);
    return timeout;
}
