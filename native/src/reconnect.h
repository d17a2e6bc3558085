/*
 * Finding the session again after its connection ended (docs/migration-protocol.md, "Moving"):
 * at the worker a MIGRATED frame named, or, without one, where the agent says the session
 * lives (SESSION_LOCATE), then ATTACH with the session and that worker's secret.
 *
 * Holds the session's identity (id, agent, token), set once by session.c before any call.
 * Not thread-safe by itself: attempts run under the transport's lock.
 */
#ifndef GM_RECONNECT_H
#define GM_RECONNECT_H

#include <stddef.h>
#include <stdint.h>

#include "cuda.h"
#include "frame.h"

/** Where a session's worker listens and the secret to ATTACH there with. */
struct gm_worker_address {
    uint64_t session;
    char host[256];
    uint16_t port;
    char secret[256];
    char image[256]; /* CHECKPOINTED only (port 0): the directory the session was dumped to */
};

/** GPUMIGRATE_RECONNECT_TIMEOUT's default, in seconds, and its allowed range. */
#define GM_RECONNECT_DEFAULT_S 60.0
#define GM_RECONNECT_MAX_S 86400.0
/** GPUMIGRATE_RESTORE_TIMEOUT's default, in seconds (same range): how long a checkpointed session is awaited. */
#define GM_RESTORE_DEFAULT_S 3600.0

/**
 * Connects to the worker and ATTACHes the session, waiting at most timeout_ms for the answer
 * (0: no limit). Returns CUDA_SUCCESS with the connected socket in *fd and the worker's
 * lastApplied; else the worker's refusal status, or GM_LINK_ERROR when it cannot be reached
 * or does not answer in time; the reason is in err.
 */
CUresult gm_attach_worker(const struct gm_worker_address *w, int timeout_ms, int *fd, uint64_t *last_applied,
                          char *err, size_t err_len);

/** Remembers how to find the session again: its agent (host:port text), token and id. */
void gm_reconnect_setup(const char *agent, const char *token, uint64_t session);

/** The session's id (0 before setup). */
uint64_t gm_reconnect_session(void);

/** Parses MIGRATED's body into to; -1 with the reason when it is truncated or names another session. */
int gm_parse_migrated(const struct gm_buf *body, struct gm_worker_address *to, char *err, size_t err_len);

/**
 * Parses CHECKPOINTED's body (u64 session, str directory) into to, which then names no worker
 * (gm_worker_address_parked) but the image's directory; -1 with the reason when it is truncated
 * or names another session.
 */
int gm_parse_checkpointed(const struct gm_buf *body, struct gm_worker_address *to, char *err, size_t err_len);

/** Whether w names no worker: the session was checkpointed and waits to be restored somewhere. */
int gm_worker_address_parked(const struct gm_worker_address *w);

/**
 * One attempt to reach the session: at `to` when given, else at the worker the agent names
 * in its SESSION_LOCATE reply; then ATTACH. Each answer is awaited at most timeout_ms (a peer
 * that accepts and says nothing must not hold the client forever). Returns the socket (its
 * peer's host:port in peer, lastApplied in *last_applied), or -1 with the reason in err.
 */
int gm_reconnect_attempt(const struct gm_worker_address *to, int timeout_ms, uint64_t *last_applied, char *peer,
                         size_t peer_len, char *err, size_t err_len);

/**
 * GPUMIGRATE_RECONNECT_TIMEOUT in seconds (a decimal number in (0, 86400]; default 60), read
 * once; an invalid value is reported in one line and the default used.
 */
double gm_reconnect_timeout_s(void);

/**
 * GPUMIGRATE_RESTORE_TIMEOUT in seconds (same rules; default 3600), read once: how long a client
 * whose session was checkpointed (CHECKPOINTED) waits for it to be restored on some node.
 */
double gm_restore_timeout_s(void);

#endif
