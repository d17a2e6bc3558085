/* Opening a session (HELLO, ATTACH, DEVICE_GET_PROPERTIES); see session.h. */
#include "session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "reconnect.h"
#include "transport.h"

extern char *program_invocation_short_name;

int gm_parse_address(const char *text, char *host, size_t host_len, uint16_t *port, char *err, size_t err_len)
{
    const char *colon = strrchr(text, ':');
    const char *start = text, *end = colon;
    if (text[0] == '[') {
        start = text + 1;
        end = strchr(text, ']');
        if (end == NULL || end[1] != ':') {
            snprintf(err, err_len, "address '%s' is not [host]:port", text);
            return -1;
        }
        colon = end + 1;
    }
    if (colon == NULL || end == start) {
        snprintf(err, err_len, "address '%s' is not host:port", text);
        return -1;
    }
    char *tail;
    errno = 0;
    long value = strtol(colon + 1, &tail, 10);
    if (errno || *tail != '\0' || tail == colon + 1 || value < 1 || value > 65535) {
        snprintf(err, err_len, "port '%s' in address '%s' is not in 1..65535", colon + 1, text);
        return -1;
    }
    size_t n = (size_t)(end - start);
    if (n >= host_len) {
        snprintf(err, err_len, "host in address '%s' is longer than %zu bytes", text, host_len - 1);
        return -1;
    }
    memcpy(host, start, n);
    host[n] = '\0';
    *port = (uint16_t)value;
    return 0;
}

/* GPUMIGRATE_TOKEN, else the first line of the file GPUMIGRATE_TOKEN_FILE names, else empty. */
static int read_token(char *token, size_t len)
{
    token[0] = '\0';
    const char *value = getenv("GPUMIGRATE_TOKEN");
    if (value != NULL) {
        snprintf(token, len, "%s", value);
        return 0;
    }
    const char *path = getenv("GPUMIGRATE_TOKEN_FILE");
    if (path == NULL || path[0] == '\0')
        return 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        gm_log_error("cannot read the token file %s (GPUMIGRATE_TOKEN_FILE): %s", path, strerror(errno));
        return -1;
    }
    if (fgets(token, (int)len, f) == NULL)
        token[0] = '\0';
    fclose(f);
    token[strcspn(token, "\r\n")] = '\0';
    return 0;
}

static CUresult hello(const char *agent, const char *source, const char *token, struct gm_worker_address *worker)
{
    char host[256], err[256];
    uint16_t port;
    struct gm_buf body, results;
    gm_buf_init(&body);
    gm_buf_init(&results);
    CUresult rc = CUDA_ERROR_NO_DEVICE;
    int fd = -1;
    if (gm_parse_address(agent, host, sizeof host, &port, err, sizeof err) != 0) {
        gm_log_error("GPUMIGRATE_AGENT: %s", err);
        goto out;
    }
    fd = gm_tcp_connect(host, port, err, sizeof err);
    if (fd < 0) {
        gm_log_error("cannot reach the gpumigrate agent at %s (%s): %s; no device available", agent, source, err);
        goto out;
    }
    gm_buf_put_u32(&body, GM_PROTOCOL_MAGIC);
    gm_buf_put_u16(&body, GM_PROTOCOL_MAJOR);
    gm_buf_put_u16(&body, GM_PROTOCOL_MINOR);
    gm_buf_put_str(&body, token);
    gm_buf_put_str(&body, program_invocation_short_name);
    gm_buf_put_u32(&body, (uint32_t)getpid());
    rc = gm_exchange(fd, GM_OP_HELLO, &body, &results, err, sizeof err);
    if (rc == GM_LINK_ERROR) {
        gm_log_error("the gpumigrate agent at %s did not answer HELLO: %s", agent, err);
        rc = CUDA_ERROR_NO_DEVICE;
        goto out;
    }
    if (rc != CUDA_SUCCESS) {
        gm_log_error("the gpumigrate agent at %s refused the session: %s: %s", agent, gm_error_name(rc), err);
        goto out;
    }
    struct gm_reader r;
    gm_reader_init(&r, results.data, results.len);
    worker->session = gm_get_u64(&r);
    gm_get_str(&r, worker->host, sizeof worker->host);
    worker->port = gm_get_u16(&r);
    gm_get_str(&r, worker->secret, sizeof worker->secret);
    if (r.failed) {
        gm_log_error("the HELLO reply of the agent at %s is truncated (%zu bytes)", agent, results.len);
        rc = CUDA_ERROR_NO_DEVICE;
    }
out:
    if (fd >= 0)
        close(fd);
    gm_buf_free(&body);
    gm_buf_free(&results);
    return rc;
}

static CUresult attach(const struct gm_worker_address *worker)
{
    char err[256], peer[300];
    snprintf(peer, sizeof peer, "%s:%u", worker->host, worker->port);
    int fd;
    uint64_t last_applied;
    CUresult rc = gm_attach_worker(worker, 0, &fd, &last_applied, err, sizeof err);
    if (rc == GM_LINK_ERROR) {
        gm_log_error("cannot reach the session worker at %s: %s; no device available", peer, err);
        return CUDA_ERROR_NO_DEVICE;
    }
    if (rc != CUDA_SUCCESS) {
        gm_log_error("the session worker at %s refused ATTACH of session %llu: %s: %s", peer,
                     (unsigned long long)worker->session, gm_error_name(rc), err);
        return rc;
    }
    if (last_applied != 0) {
        gm_log_error("the session worker at %s reports lastApplied %llu for the new session %llu; expected 0", peer,
                     (unsigned long long)last_applied, (unsigned long long)worker->session);
        close(fd);
        return CUDA_ERROR_NO_DEVICE;
    }
    gm_log_debug("attached session %llu at %s", (unsigned long long)worker->session, peer);
    gm_transport_attach(fd, peer, 1);
    return CUDA_SUCCESS;
}

/*
 * GPUMIGRATE_SESSION: joins an existing session (one restored from a checkpoint, or left by
 * another program) instead of opening one. The agent locates it; numbering continues after
 * the worker's lastApplied, so that no call of this program is taken for one already applied.
 */
static CUresult attach_existing(const char *agent, const char *token, const char *text)
{
    char *tail;
    errno = 0;
    unsigned long long session = strtoull(text, &tail, 10);
    if (errno != 0 || *tail != '\0' || tail == text || text[0] == '-' || session == 0) {
        gm_log_error("GPUMIGRATE_SESSION '%s' is not a session id (an integer in 1..%llu)", text,
                     (unsigned long long)UINT64_MAX);
        return CUDA_ERROR_NO_DEVICE;
    }
    gm_reconnect_setup(agent, token, session);
    char peer[300], err[512];
    uint64_t last_applied = 0;
    int fd = gm_reconnect_attempt(NULL, (int)(gm_reconnect_timeout_s() * 1000), &last_applied, peer, sizeof peer,
                                  err, sizeof err);
    if (fd < 0) {
        gm_log_error("cannot attach to session %llu (GPUMIGRATE_SESSION): %s; no device available", session, err);
        return CUDA_ERROR_NO_DEVICE;
    }
    gm_log_debug("attached existing session %llu at %s after its call %llu", session, peer,
                 (unsigned long long)last_applied);
    gm_transport_attach(fd, peer, last_applied + 1);
    return CUDA_SUCCESS;
}

static CUresult fetch_properties(struct gm_device_props *props)
{
    struct gm_buf results;
    gm_buf_init(&results);
    CUresult rc = gm_call_results(GM_OP_DEVICE_GET_PROPERTIES, NULL, &results);
    if (rc != CUDA_SUCCESS) {
        gm_log_error("DEVICE_GET_PROPERTIES failed: %s", gm_error_name(rc));
        goto out;
    }
    struct gm_reader r;
    gm_reader_init(&r, results.data, results.len);
    uint32_t n = gm_get_u32(&r);
    for (uint32_t i = 0; i < n; i++) {
        int32_t value = gm_get_i32(&r);
        if (i < GM_MAX_DEVICE_ATTRIBUTES)
            props->attr[i] = value;
    }
    props->attribute_count = n < GM_MAX_DEVICE_ATTRIBUTES ? n : GM_MAX_DEVICE_ATTRIBUTES;
    gm_get_bytes(&r, props->name, 256);
    props->name[256] = '\0';
    gm_get_bytes(&r, props->uuid, sizeof props->uuid);
    props->total_mem = gm_get_u64(&r);
    props->driver_version = gm_get_i32(&r);
    if (r.failed) {
        gm_log_error("DEVICE_GET_PROPERTIES reply is truncated (%zu bytes for %u attributes)", results.len, n);
        rc = CUDA_ERROR_NO_DEVICE;
    }
out:
    gm_buf_free(&results);
    return rc;
}

CUresult gm_session_open(struct gm_device_props *props)
{
    const char *agent = getenv("GPUMIGRATE_AGENT");
    const char *source = "GPUMIGRATE_AGENT";
    if (agent == NULL || agent[0] == '\0') {
        agent = GM_DEFAULT_AGENT;
        source = "the default; set GPUMIGRATE_AGENT to change it";
    }
    struct gm_worker_address worker;
    char token[512];
    memset(&worker, 0, sizeof worker);
    if (read_token(token, sizeof token) != 0)
        return CUDA_ERROR_NO_DEVICE;
    const char *existing = getenv("GPUMIGRATE_SESSION");
    CUresult rc;
    if (existing != NULL && existing[0] != '\0') {
        rc = attach_existing(agent, token, existing);
    } else {
        rc = hello(agent, source, token, &worker);
        if (rc == CUDA_SUCCESS) {
            gm_reconnect_setup(agent, token, worker.session);
            rc = attach(&worker);
        }
    }
    if (rc == CUDA_SUCCESS) {
        rc = fetch_properties(props);
        if (rc != CUDA_SUCCESS)
            gm_transport_goodbye();
    }
    return rc;
}
