/* Frame encoding and decoding; see frame.h. */
#include "frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gm_op_kind(uint16_t op)
{
    switch (op) {
#define GM_OP(code, name, kind) case code: return GM_KIND_##kind;
#include "gpumigrate/ops.def"
#undef GM_OP
    default:
        return -1;
    }
}

const char *gm_op_name(uint16_t op)
{
    switch (op) {
#define GM_OP(code, name, kind) case code: return #name;
#include "gpumigrate/ops.def"
#undef GM_OP
    default:
        return "UNKNOWN";
    }
}

void gm_buf_init(struct gm_buf *b)
{
    memset(b, 0, sizeof *b);
}

void gm_buf_free(struct gm_buf *b)
{
    free(b->data);
    gm_buf_init(b);
}

int gm_buf_reserve(struct gm_buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (b->cap - b->len >= n)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n)
        cap *= 2;
    uint8_t *data = realloc(b->data, cap);
    if (data == NULL) {
        b->failed = 1;
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

void gm_buf_put_bytes(struct gm_buf *b, const void *p, size_t n)
{
    if (n == 0 || gm_buf_reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_le(struct gm_buf *b, uint64_t v, size_t width)
{
    uint8_t raw[8];
    for (size_t i = 0; i < width; i++)
        raw[i] = (uint8_t)(v >> (8 * i));
    gm_buf_put_bytes(b, raw, width);
}

void gm_buf_put_u8(struct gm_buf *b, uint8_t v) { put_le(b, v, 1); }
void gm_buf_put_u16(struct gm_buf *b, uint16_t v) { put_le(b, v, 2); }
void gm_buf_put_u32(struct gm_buf *b, uint32_t v) { put_le(b, v, 4); }
void gm_buf_put_u64(struct gm_buf *b, uint64_t v) { put_le(b, v, 8); }
void gm_buf_put_i32(struct gm_buf *b, int32_t v) { put_le(b, (uint32_t)v, 4); }

void gm_buf_put_str(struct gm_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    gm_buf_put_u32(b, (uint32_t)n);
    gm_buf_put_bytes(b, s, n);
}

void gm_frame_encode_header(uint8_t raw[GM_FRAME_HEADER_SIZE], uint16_t op, uint16_t flags, uint64_t seq,
                            size_t body_len)
{
    uint32_t length = (uint32_t)(GM_FRAME_MIN_LENGTH + body_len);
    for (int i = 0; i < 4; i++)
        raw[i] = (uint8_t)(length >> (8 * i));
    raw[4] = (uint8_t)op;
    raw[5] = (uint8_t)(op >> 8);
    raw[6] = (uint8_t)flags;
    raw[7] = (uint8_t)(flags >> 8);
    for (int i = 0; i < 8; i++)
        raw[8 + i] = (uint8_t)(seq >> (8 * i));
}

size_t gm_frame_put_header(struct gm_buf *b, uint16_t op, uint16_t flags, uint64_t seq, size_t body_len)
{
    size_t at = b->len;
    uint8_t raw[GM_FRAME_HEADER_SIZE];
    gm_frame_encode_header(raw, op, flags, seq, body_len);
    gm_buf_put_bytes(b, raw, sizeof raw);
    return at;
}

int gm_frame_decode_header(const uint8_t raw[GM_FRAME_HEADER_SIZE], struct gm_frame_header *h,
                           char *err, size_t err_len)
{
    struct gm_reader r;
    gm_reader_init(&r, raw, GM_FRAME_HEADER_SIZE);
    h->length = gm_get_u32(&r);
    h->op = gm_get_u16(&r);
    h->flags = gm_get_u16(&r);
    h->seq = gm_get_u64(&r);
    if (h->length < GM_FRAME_MIN_LENGTH || h->length > GM_MAX_FRAME_LENGTH) {
        snprintf(err, err_len, "frame length %u is outside the allowed range [%u, %u]",
                 h->length, GM_FRAME_MIN_LENGTH, GM_MAX_FRAME_LENGTH);
        return -1;
    }
    if (h->flags & ~GM_FLAG_REPLY_WANTED) {
        snprintf(err, err_len, "frame flags 0x%x have bits other than REPLY_WANTED (0x1) set", h->flags);
        return -1;
    }
    return 0;
}

void gm_reader_init(struct gm_reader *r, const void *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->pos = 0;
    r->failed = 0;
}

size_t gm_reader_remaining(const struct gm_reader *r)
{
    return r->len - r->pos;
}

static uint64_t get_le(struct gm_reader *r, size_t width)
{
    if (gm_reader_remaining(r) < width) {
        r->failed = 1;
        r->pos = r->len;
        return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < width; i++)
        v |= (uint64_t)r->p[r->pos + i] << (8 * i);
    r->pos += width;
    return v;
}

uint8_t gm_get_u8(struct gm_reader *r) { return (uint8_t)get_le(r, 1); }
uint16_t gm_get_u16(struct gm_reader *r) { return (uint16_t)get_le(r, 2); }
uint32_t gm_get_u32(struct gm_reader *r) { return (uint32_t)get_le(r, 4); }
uint64_t gm_get_u64(struct gm_reader *r) { return get_le(r, 8); }
int32_t gm_get_i32(struct gm_reader *r) { return (int32_t)(uint32_t)get_le(r, 4); }

float gm_get_f32(struct gm_reader *r)
{
    uint32_t bits = gm_get_u32(r);
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

void gm_get_bytes(struct gm_reader *r, void *dst, size_t n)
{
    if (gm_reader_remaining(r) < n) {
        r->failed = 1;
        r->pos = r->len;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, r->p + r->pos, n);
    r->pos += n;
}

void gm_get_str(struct gm_reader *r, char *dst, size_t dst_len)
{
    uint32_t n = gm_get_u32(r);
    if (r->failed || gm_reader_remaining(r) < n) {
        r->failed = 1;
        r->pos = r->len;
        if (dst_len)
            dst[0] = '\0';
        return;
    }
    if (dst_len) {
        size_t keep = n < dst_len - 1 ? n : dst_len - 1;
        memcpy(dst, r->p + r->pos, keep);
        dst[keep] = '\0';
    }
    r->pos += n;
}
