/*
 * A fake agent and session worker for test_session: speaks the wire protocol on loopback
 * with just enough behaviour (device memory in a host array, one fake kernel) to check what
 * the client library sends. A test fixture only: it is not the Java worker and says nothing
 * about it.
 */
#ifndef GM_TEST_FAKE_WORKER_H
#define GM_TEST_FAKE_WORKER_H

#include <stddef.h>
#include <stdint.h>

#define FAKE_BASE 0x200000000000ull
#define FAKE_MEMORY (128u << 20)
#define FAKE_DRIVER_VERSION 12080
#define FAKE_TOKEN "test-token"

/* What the fake saw; read by the test after the client exited. */
struct fake_stats {
    int hello_ok;           /* HELLO carried the magic, version 1.0 and the token */
    int attach_ok;          /* ATTACH carried the session and secret from HELLO */
    int goodbye;            /* GOODBYE arrived */
    int protocol_errors;    /* seq out of order, REPLY_WANTED on an ASYNC op or missing on a call */
    int unknown_ops;        /* ops the fake does not implement (host memory must never come) */
    int unknown_op;         /* the last of them */
    uint32_t hello_pid;     /* the pid HELLO announced */
    uint64_t frames;        /* frames after ATTACH */
    uint64_t launches;
    uint64_t htod_frames;
    uint64_t htod_largest;  /* largest MEMCPY_HTOD payload */
    uint64_t shm_attached;  /* SHM_ATTACH calls that mapped the client's window */
    uint64_t shm_htod;      /* MEMCPY_HTOD_SHM calls */
    uint64_t shm_dtoh;      /* MEMCPY_DTOH_SHM calls */
    uint64_t module_bytes;  /* size of the last MODULE_LOAD image */
    uint8_t module_last;    /* its last byte */
    uint32_t last_ctx_flags;
    char errors[512];       /* first protocol error, described */
};

/** Makes the next fake_start's worker drop the client's window after n window copies, as a worker the session moved to (0: never). */
void fake_forget_window_after(int n);
/** Starts the agent and worker threads (again after fake_wait, with fresh state); returns the agent's port. */
int fake_start(void);
/** Launches seen so far; safe to call while the fake runs. */
uint64_t fake_launches(void);
/** Waits until the worker connection has ended (GOODBYE or close); returns its stats. */
const struct fake_stats *fake_wait(void);

#endif
