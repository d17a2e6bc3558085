/*
 * A scripted cluster for test_migrate: one fake agent and FAKE_WORKERS fake session workers
 * over one fake device (fake_device.h). Sharing the device means a "migration" moves no
 * state: what one worker applied is what the next starts from, as after a real transfer. The
 * fakes check the part the client library owns: which frames reach which worker in which
 * order, that across all workers every call is applied exactly once and in seq order, and how
 * much the client leaves unacknowledged.
 *
 * Each worker serves one connection and follows its plan: it applies frames up to
 * apply_until, then pauses (receives without applying, as a source does once a migration has
 * paused it) and leaves after the frame leave_at, or at the first frame wanting a reply once
 * paused: with MIGRATED naming its target (then shutting its side and reading until the client
 * closes, or closing at once), with CHECKPOINTED (a dump that ended the session), or by
 * closing without a word. Not thread-safe: one test drives it.
 */
#ifndef GM_TEST_FAKE_CLUSTER_H
#define GM_TEST_FAKE_CLUSTER_H

#include <stdint.h>

#include "fake_device.h"

#define FAKE_WORKERS 3
#define FAKE_SESSION 42
#define FAKE_IMAGE "/images/fake-42"

enum fake_exit {
    FAKE_STAY,             /* never leaves (apply_until must be 0) */
    FAKE_MIGRATED,         /* MIGRATED, shutdown, reads until the client closes */
    FAKE_MIGRATED_ABRUPT,  /* MIGRATED, close at once (unread frames make it a reset) */
    FAKE_CLOSE,            /* close at once, no MIGRATED: a worker that died */
    FAKE_CHECKPOINTED,     /* CHECKPOINTED (dumped to FAKE_IMAGE), shutdown, reads until the client closes */
};

struct fake_plan {
    uint64_t apply_until;  /* 0: applies every frame */
    uint64_t leave_at;     /* 0: only at a frame wanting a reply once paused */
    enum fake_exit exit;
    int target;            /* the worker MIGRATED names */
};

struct fake_cluster_plan {
    struct fake_plan workers[FAKE_WORKERS];
    int locate_to;         /* the worker SESSION_LOCATE names; -1: CUDA_ERROR_NOT_FOUND */
    int locate_misses;     /* the first this many SESSION_LOCATEs answer CUDA_ERROR_NOT_FOUND (not restored yet) */
    int agent_leaves;      /* the agent stops listening after HELLO: nobody answers SESSION_LOCATE */
    int attach_notify_fd;  /* a worker other than 0 writes one byte here once it answered ATTACH (-1: none) */
};

struct fake_worker_seen {
    int attached;                  /* ATTACH carried the session and this worker's secret */
    uint64_t attach_applied;       /* lastApplied its ATTACH reply reported */
    uint64_t first_seq, last_seq;  /* of the frames after ATTACH (0: none) */
    uint64_t frames, applied, acks;
    uint64_t max_unanswered_bytes; /* most bytes received since this worker's last reply */
    uint64_t max_unanswered_frames;
    int goodbye;
};

struct fake_cluster_seen {
    struct fake_worker_seen workers[FAKE_WORKERS];
    int hellos;
    int locates;
    int locates_ok;   /* SESSION_LOCATE carried the session and the token */
    int errors;       /* seq gaps, frames resent at or below lastApplied, calls applied twice or skipped, bad flags */
    char error[512];  /* the first of them */
};

/** Starts the agent and the workers; returns the agent's port. */
int fake_cluster_start(const struct fake_cluster_plan *plan);
/** The port of worker i (for checking log lines). */
int fake_cluster_worker_port(int i);
/** Stops everything (after the client exited) and returns what the fakes saw. */
const struct fake_cluster_seen *fake_cluster_stop(void);

#endif
