/*
 * Frame encoding and decoding of the wire protocol (docs/wire-protocol.md): a growable output
 * buffer with little-endian writers, a bounds-checked reader, and the 16-byte frame header.
 *
 *  +--------+------+-------+-----------------+--------------------------+
 *  | length |  op  | flags |       seq       |           body           |
 *  |  u32   | u16  |  u16  |       u64       |   length - 12 bytes      |
 *  +--------+------+-------+-----------------+--------------------------+
 *
 * Pure functions over memory, no I/O; not thread-safe per object (each buffer or reader
 * belongs to one caller).
 */
#ifndef GM_FRAME_H
#define GM_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum gm_op {
#define GM_OP(code, name, kind) GM_OP_##name = code,
#include "gpumigrate/ops.def"
#undef GM_OP
};

enum gm_op_kind { GM_KIND_CALL, GM_KIND_ASYNC, GM_KIND_SYNC };

#define GM_FRAME_HEADER_SIZE 16u
#define GM_FRAME_MIN_LENGTH 12u
#define GM_MAX_COPY_CHUNK (16u * 1024 * 1024)
#define GM_MAX_FRAME_LENGTH (12u + GM_MAX_COPY_CHUNK + 4096u)
#define GM_FLAG_REPLY_WANTED 0x1u
#define GM_PROTOCOL_MAGIC 0x47494D47u
#define GM_PROTOCOL_MAJOR 1
#define GM_PROTOCOL_MINOR 0

/** The kind of op (CALL, ASYNC, SYNC) as ops.def declares it; -1 for an unknown code. */
int gm_op_kind(uint16_t op);
/** The op's name from ops.def, or "UNKNOWN". */
const char *gm_op_name(uint16_t op);

struct gm_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    int failed; /* set when an allocation failed; later writes are dropped */
};

void gm_buf_init(struct gm_buf *b);
void gm_buf_free(struct gm_buf *b);
/** Makes room for n more bytes; returns 0 on success, -1 (and sets failed) when out of memory. */
int gm_buf_reserve(struct gm_buf *b, size_t n);
void gm_buf_put_bytes(struct gm_buf *b, const void *p, size_t n);
void gm_buf_put_u8(struct gm_buf *b, uint8_t v);
void gm_buf_put_u16(struct gm_buf *b, uint16_t v);
void gm_buf_put_u32(struct gm_buf *b, uint32_t v);
void gm_buf_put_u64(struct gm_buf *b, uint64_t v);
void gm_buf_put_i32(struct gm_buf *b, int32_t v);
/** A str: u32 byte length then the bytes, no NUL. NULL writes an empty string. */
void gm_buf_put_str(struct gm_buf *b, const char *s);

/**
 * Appends a frame header whose length covers body_len bytes of body (written by the caller
 * right after, plus any bytes sent separately). Returns the header's offset.
 */
size_t gm_frame_put_header(struct gm_buf *b, uint16_t op, uint16_t flags, uint64_t seq, size_t body_len);

/** Encodes a frame header into raw (the same bytes gm_frame_put_header appends). */
void gm_frame_encode_header(uint8_t raw[GM_FRAME_HEADER_SIZE], uint16_t op, uint16_t flags, uint64_t seq, size_t body_len);

struct gm_frame_header {
    uint32_t length;
    uint16_t op;
    uint16_t flags;
    uint64_t seq;
};

/**
 * Decodes and validates a 16-byte header. Returns 0, or -1 with a message in err (naming the
 * bad value and the allowed range) when the length or the flags are out of range.
 */
int gm_frame_decode_header(const uint8_t raw[GM_FRAME_HEADER_SIZE], struct gm_frame_header *h,
                           char *err, size_t err_len);

/** Reads little-endian values from a byte range; any read past the end sets failed. */
struct gm_reader {
    const uint8_t *p;
    size_t len;
    size_t pos;
    int failed;
};

void gm_reader_init(struct gm_reader *r, const void *p, size_t len);
uint8_t gm_get_u8(struct gm_reader *r);
uint16_t gm_get_u16(struct gm_reader *r);
uint32_t gm_get_u32(struct gm_reader *r);
uint64_t gm_get_u64(struct gm_reader *r);
int32_t gm_get_i32(struct gm_reader *r);
float gm_get_f32(struct gm_reader *r);
/** Copies n bytes out; zero-fills dst and sets failed when fewer remain. */
void gm_get_bytes(struct gm_reader *r, void *dst, size_t n);
/**
 * Reads a str into dst as a NUL-terminated string, truncated to dst_len - 1 bytes; the whole
 * string is consumed either way.
 */
void gm_get_str(struct gm_reader *r, char *dst, size_t dst_len);
size_t gm_reader_remaining(const struct gm_reader *r);

#endif
