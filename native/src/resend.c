/* The resend buffer: a growable ring of frames; see resend.h. */
#include "resend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

#define INITIAL_CAPACITY (256u * 1024)

void gm_resend_init(struct gm_resend *r, uint64_t limit_bytes, uint64_t first_seq)
{
    memset(r, 0, sizeof *r);
    r->limit_bytes = limit_bytes;
    r->first_seq = first_seq;
    r->next_seq = first_seq;
}

void gm_resend_free(struct gm_resend *r)
{
    free(r->data);
    gm_resend_init(r, r->limit_bytes, r->next_seq);
}

int gm_resend_parse_limit(const char *text, uint64_t *bytes, char *err, size_t err_len)
{
    char *tail;
    errno = 0;
    unsigned long long value = strtoull(text, &tail, 10);
    int shift = 0;
    if (*tail == 'K' || *tail == 'k')
        shift = 10;
    else if (*tail == 'M' || *tail == 'm')
        shift = 20;
    else if (*tail == 'G' || *tail == 'g')
        shift = 30;
    if (shift)
        tail++;
    int ok = errno == 0 && tail != text && *tail == '\0' && text[0] != '-' && value <= GM_RESEND_MAX_BYTES >> shift;
    value <<= shift;
    if (!ok || value < GM_RESEND_MIN_BYTES || value > GM_RESEND_MAX_BYTES) {
        snprintf(err, err_len, "'%s' is not a byte count in [%llu, %llu] (digits, optionally followed by K, M or G)",
                 text, GM_RESEND_MIN_BYTES, GM_RESEND_MAX_BYTES);
        return -1;
    }
    *bytes = value;
    return 0;
}

int gm_resend_full(const struct gm_resend *r, size_t frame_len)
{
    if (gm_resend_frames(r) == 0)
        return 0;
    return gm_resend_frames(r) >= GM_RESEND_MAX_FRAMES || gm_resend_bytes(r) + frame_len > r->limit_bytes;
}

/* Copies n bytes to ring position pos, wrapping around the end. */
static void put(struct gm_resend *r, uint64_t pos, const void *src, size_t n)
{
    size_t at = (size_t)(pos & (r->cap - 1));
    size_t first = n < r->cap - at ? n : r->cap - at;
    memcpy(r->data + at, src, first);
    if (n > first)
        memcpy(r->data, (const uint8_t *)src + first, n - first);
}

/* The u32 length field of the frame at ring position pos. */
static uint32_t length_at(const struct gm_resend *r, uint64_t pos)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)r->data[(pos + (uint64_t)i) & (r->cap - 1)] << (8 * i);
    return v;
}

/* The held bytes as at most two contiguous pieces of the ring, from position from to the tail. */
static int pieces(const struct gm_resend *r, uint64_t from, struct iovec iov[2])
{
    size_t n = (size_t)(r->tail - from);
    if (n == 0)
        return 0;
    size_t at = (size_t)(from & (r->cap - 1));
    size_t first = n < r->cap - at ? n : r->cap - at;
    iov[0] = (struct iovec){ r->data + at, first };
    if (n == first)
        return 1;
    iov[1] = (struct iovec){ r->data, n - first };
    return 2;
}

/* Makes room for n more bytes: a larger ring (at least twice the size), the held bytes moved to its start. */
static int grow(struct gm_resend *r, size_t n)
{
    size_t held = (size_t)gm_resend_bytes(r);
    if (r->cap - held >= n)
        return 0;
    size_t cap = r->cap ? r->cap * 2 : INITIAL_CAPACITY;
    while (cap - held < n) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    uint8_t *data = malloc(cap);
    if (data == NULL)
        return -1;
    struct iovec iov[2];
    int count = pieces(r, r->head, iov);
    size_t at = 0;
    for (int i = 0; i < count; i++) {
        memcpy(data + at, iov[i].iov_base, iov[i].iov_len);
        at += iov[i].iov_len;
    }
    free(r->data);
    r->data = data;
    r->cap = cap;
    r->sent -= r->head;
    r->tail -= r->head;
    r->head = 0;
    return 0;
}

int gm_resend_append(struct gm_resend *r, uint16_t op, uint16_t flags, const void *body, size_t body_len,
                     const void *data, size_t data_len)
{
    size_t frame_len = GM_FRAME_HEADER_SIZE + body_len + data_len;
    if (grow(r, frame_len) != 0)
        return -1;
    uint8_t header[GM_FRAME_HEADER_SIZE];
    gm_frame_encode_header(header, op, flags, r->next_seq, body_len + data_len);
    put(r, r->tail, header, sizeof header);
    if (body_len)
        put(r, r->tail + sizeof header, body, body_len);
    if (data_len)
        put(r, r->tail + sizeof header + body_len, data, data_len);
    r->tail += frame_len;
    r->next_seq++;
    return 0;
}

void gm_resend_trim(struct gm_resend *r, uint64_t seq)
{
    while (r->first_seq <= seq && r->head < r->sent) {
        r->head += 4 + (uint64_t)length_at(r, r->head);
        r->first_seq++;
    }
    if (r->head == r->tail)
        r->head = r->sent = r->tail = 0; /* empty: the next frames start at the ring's start again */
}

int gm_resend_unsent(const struct gm_resend *r, struct iovec iov[2])
{
    return pieces(r, r->sent, iov);
}
