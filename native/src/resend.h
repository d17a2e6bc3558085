/*
 * The resend buffer (docs/migration-protocol.md, "Exactly once"): every frame the client has
 * queued or sent whose seq is above the last lastApplied it knows of, byte for byte and in seq
 * order, so that after a migration the frames the new worker has not applied can go out again
 * with their original seq and flags. It doubles as the send queue: the session's frames are
 * written into it once and go to the socket from there.
 *
 *   head                      sent                 tail
 *    | sent, not known applied |  queued, not sent  |  free (wraps around) ...
 *
 * One ring of bytes whose capacity is a power of two and grows geometrically, so appending a
 * frame costs one or two memcpy and no allocation once the ring has grown. Positions are
 * absolute byte counts, taken modulo the capacity. The frames held carry the contiguous seqs
 * first_seq .. next_seq - 1 (every frame of the session, calls included, passes through here).
 *
 * Not thread-safe: the transport's lock guards it.
 */
#ifndef GM_RESEND_H
#define GM_RESEND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/** GPUMIGRATE_RESEND_BUFFER's default, and the frame count that also calls for an ACK. */
#define GM_RESEND_DEFAULT_BYTES (256ull << 20)
#define GM_RESEND_MAX_FRAMES 65536u
/** The range GPUMIGRATE_RESEND_BUFFER accepts. */
#define GM_RESEND_MIN_BYTES 4096ull
#define GM_RESEND_MAX_BYTES (1ull << 40)

struct gm_resend {
    uint8_t *data;
    size_t cap;             /* 0 or a power of two */
    uint64_t head, sent, tail;
    uint64_t first_seq;     /* seq of the frame at head */
    uint64_t next_seq;      /* seq the next appended frame gets */
    uint64_t limit_bytes;   /* above this many bytes held, the client sends ACK */
};

/** An empty buffer whose next frame gets seq first_seq. */
void gm_resend_init(struct gm_resend *r, uint64_t limit_bytes, uint64_t first_seq);
void gm_resend_free(struct gm_resend *r);

/**
 * Reads a byte count for GPUMIGRATE_RESEND_BUFFER: digits, optionally followed by K, M or G
 * (binary units). Returns 0 and the value, or -1 with a reason naming the value and the
 * allowed range.
 */
int gm_resend_parse_limit(const char *text, uint64_t *bytes, char *err, size_t err_len);

/**
 * Whether a frame of frame_len bytes (header included) would take the buffer past its byte
 * limit or past GM_RESEND_MAX_FRAMES frames; only while it holds frames (a single frame larger
 * than the limit is accepted once the buffer is empty).
 */
int gm_resend_full(const struct gm_resend *r, size_t frame_len);

/**
 * Appends one frame (header with seq next_seq, then body, then data) to the queued part.
 * Returns 0, or -1 when the ring cannot grow (nothing appended, no seq used).
 */
int gm_resend_append(struct gm_resend *r, uint16_t op, uint16_t flags, const void *body, size_t body_len,
                     const void *data, size_t data_len);

/** Drops every frame with seq <= seq: they are applied. Never drops a frame not yet sent. */
void gm_resend_trim(struct gm_resend *r, uint64_t seq);

/** The queued (unsent) bytes as at most two iovecs; returns how many. */
int gm_resend_unsent(const struct gm_resend *r, struct iovec iov[2]);

/** Marks everything queued as sent (after a successful write of gm_resend_unsent's iovecs). */
static inline void gm_resend_mark_sent(struct gm_resend *r) { r->sent = r->tail; }

/** Queues every held frame again, for a new connection. */
static inline void gm_resend_rewind(struct gm_resend *r) { r->sent = r->head; }

static inline uint64_t gm_resend_bytes(const struct gm_resend *r) { return r->tail - r->head; }
static inline uint64_t gm_resend_unsent_bytes(const struct gm_resend *r) { return r->tail - r->sent; }
static inline uint64_t gm_resend_frames(const struct gm_resend *r) { return r->next_seq - r->first_seq; }

#endif
