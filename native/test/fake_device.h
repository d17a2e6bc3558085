/*
 * The fake device behind the test fakes: device memory in a host array, one fake kernel
 * ("axpy"), handles, deferred errors; it executes one op at a time and answers it. Enough to
 * check what the client library sends; it is not the Java worker and says nothing about it.
 * Not thread-safe: one fake worker thread at a time executes ops.
 */
#ifndef GM_TEST_FAKE_DEVICE_H
#define GM_TEST_FAKE_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "fake_wire.h"

#define FAKE_BASE 0x200000000000ull
#define FAKE_MEMORY (128u << 20)
#define FAKE_DRIVER_VERSION 12080
#define FAKE_TOKEN "test-token"

/* What the fakes saw; read by a test after the client exited. */
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

extern struct fake_stats fake_stats;

/** Makes the device drop the client's window after n window copies, as a worker the session moved to (0: never). */
void fake_forget_window_after(int n);
/** Fresh device memory, handles and stats (a window to forget, set before, stays set). */
void fake_device_reset(void);
void fake_device_free(void);

/**
 * Executes one op (body in r) and, when flags want a reply, answers it on fd (a SYNC op's
 * reply carries a pending deferred error instead). out is scratch space. Returns the status.
 */
int32_t fake_device_call(uint16_t op, uint16_t flags, uint64_t seq, struct gm_reader *r, struct gm_buf *out, int fd);

#endif
