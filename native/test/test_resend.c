/*
 * The resend buffer on its own (src/resend.c): frames come back byte for byte in seq order,
 * across the ring's wrap-around and its growth; trimming drops exactly the applied frames and
 * never one not yet sent; the byte and frame limits; GPUMIGRATE_RESEND_BUFFER's parsing.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "frame.h"
#include "resend.h"

/* Concatenates the iovecs of the queued bytes. */
static size_t unsent_bytes(const struct gm_resend *r, uint8_t *out, size_t cap)
{
    struct iovec iov[2];
    int n = gm_resend_unsent(r, iov);
    size_t len = 0;
    for (int i = 0; i < n && len + iov[i].iov_len <= cap; i++) {
        memcpy(out + len, iov[i].iov_base, iov[i].iov_len);
        len += iov[i].iov_len;
    }
    return len;
}

/* Checks that buf holds frames with seqs first.. each carrying body byte (seq & 0xff) repeated. */
static int frames_ok(const uint8_t *buf, size_t len, uint64_t first, uint64_t count)
{
    size_t at = 0;
    for (uint64_t seq = first; seq < first + count; seq++) {
        struct gm_frame_header h;
        char err[128];
        if (at + GM_FRAME_HEADER_SIZE > len || gm_frame_decode_header(buf + at, &h, err, sizeof err) != 0
            || h.seq != seq || h.op != GM_OP_LAUNCH_KERNEL)
            return 0;
        size_t body = h.length - GM_FRAME_MIN_LENGTH;
        for (size_t i = 0; i < body; i++)
            if (buf[at + GM_FRAME_HEADER_SIZE + i] != (uint8_t)seq)
                return 0;
        at += GM_FRAME_HEADER_SIZE + body;
    }
    return at == len;
}

static void append(struct gm_resend *r, size_t body_len)
{
    uint8_t *body = malloc(body_len + 1);
    memset(body, (uint8_t)r->next_seq, body_len + 1);
    /* half in the body, half as separate data, as a copy's frame has them */
    if (gm_resend_append(r, GM_OP_LAUNCH_KERNEL, 0, body, body_len / 2, body, body_len - body_len / 2) != 0)
        CHECK(0, "appending seq %llu failed", (unsigned long long)r->next_seq);
    free(body);
}

static void wraps_and_grows(void)
{
    enum { CAP = 4 << 20 };
    uint8_t *out = malloc(CAP);
    struct gm_resend r;
    gm_resend_init(&r, GM_RESEND_DEFAULT_BYTES, 1);
    /* Fill, send, trim, repeatedly with odd sizes so that frames straddle the ring's end. */
    uint64_t sent_upto = 0;
    int ok = 1;
    for (int round = 0; round < 200 && ok; round++) {
        for (int i = 0; i < 7; i++)
            append(&r, (size_t)(1000 + round * 131 + i * 17) % 9000);
        size_t len = unsent_bytes(&r, out, CAP);
        ok = frames_ok(out, len, sent_upto + 1, 7);
        gm_resend_mark_sent(&r);
        sent_upto += 7;
        gm_resend_trim(&r, sent_upto - 3); /* the last three stay held */
        ok = ok && gm_resend_frames(&r) == 3 && r.first_seq == sent_upto - 2;
    }
    CHECK(ok, "frames came back wrong or trimmed wrong");
    CHECK_EQ(r.cap, 256 * 1024); /* never held more than ~60 KiB: no growth */
    /* Rewind: the held frames (seq sent_upto-2 .. sent_upto) are queued again, in order. */
    gm_resend_rewind(&r);
    size_t len = unsent_bytes(&r, out, CAP);
    CHECK(frames_ok(out, len, sent_upto - 2, 3), "rewound frames differ");
    /* Growth keeps the held frames: 3 MiB more than the initial ring. */
    for (int i = 0; i < 48; i++)
        append(&r, 65536);
    len = unsent_bytes(&r, out, CAP);
    CHECK(frames_ok(out, len, sent_upto - 2, 51), "frames lost when the ring grew");
    CHECK(r.cap >= 4u << 20 && (r.cap & (r.cap - 1)) == 0, "capacity %zu", r.cap);
    gm_resend_free(&r);
    free(out);
}

static void trims_only_sent_frames(void)
{
    struct gm_resend r;
    gm_resend_init(&r, GM_RESEND_DEFAULT_BYTES, 10);
    append(&r, 100);
    append(&r, 100);
    gm_resend_mark_sent(&r);
    append(&r, 100); /* seq 12, queued */
    gm_resend_trim(&r, 12);
    CHECK_EQ(r.first_seq, 12);
    CHECK_EQ(gm_resend_frames(&r), 1);
    CHECK_EQ(gm_resend_unsent_bytes(&r), GM_FRAME_HEADER_SIZE + 100);
    gm_resend_mark_sent(&r);
    gm_resend_trim(&r, 12);
    CHECK_EQ(gm_resend_frames(&r), 0);
    CHECK_EQ(gm_resend_bytes(&r), 0);
    CHECK_EQ(r.next_seq, 13);
    gm_resend_free(&r);
}

static void limits(void)
{
    struct gm_resend r;
    gm_resend_init(&r, 10000, 1);
    CHECK(!gm_resend_full(&r, 50000), "an empty buffer takes a frame larger than the limit");
    append(&r, 5000);
    CHECK(!gm_resend_full(&r, 10000 - 5016), "exactly at the limit is not full");
    CHECK(gm_resend_full(&r, 10000 - 5016 + 1), "one byte over the limit is full");
    gm_resend_free(&r);
    gm_resend_init(&r, GM_RESEND_DEFAULT_BYTES, 1);
    for (unsigned i = 0; i < GM_RESEND_MAX_FRAMES - 1; i++)
        append(&r, 0);
    CHECK(!gm_resend_full(&r, 16), "65,535 frames held leave room for one more");
    append(&r, 0);
    CHECK(gm_resend_full(&r, 16), "65,536 frames held are full");
    gm_resend_free(&r);
}

static void parses_limit(void)
{
    uint64_t bytes = 0;
    char err[256];
    CHECK_EQ(gm_resend_parse_limit("1048576", &bytes, err, sizeof err), 0);
    CHECK_EQ(bytes, 1u << 20);
    CHECK_EQ(gm_resend_parse_limit("64K", &bytes, err, sizeof err), 0);
    CHECK_EQ(bytes, 64u << 10);
    CHECK_EQ(gm_resend_parse_limit("2G", &bytes, err, sizeof err), 0);
    CHECK_EQ(bytes, 2ull << 30);
    const char *bad[] = { "", "abc", "12x", "-5", "100", "2048G", "99999999999999999999999" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        CHECK(gm_resend_parse_limit(bad[i], &bytes, err, sizeof err) != 0, "'%s' accepted", bad[i]);
        CHECK(strstr(err, "[4096, 1099511627776]") != NULL, "message '%s' does not name the range", err);
    }
}

int main(void)
{
    wraps_and_grows();
    trims_only_sent_frames();
    limits();
    parses_limit();
    return check_result("test_resend");
}
