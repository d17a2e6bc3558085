/* Wire helpers of the test fakes; see fake_wire.h. */
#include "fake_wire.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int fake_listen(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    listen(fd, 4);
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

int fake_accept(int listen_fd)
{
    int fd = accept(listen_fd, NULL, NULL);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* a reply in two writes must not wait */
    return fd;
}

static int read_all(int fd, void *p, size_t n)
{
    for (size_t done = 0; done < n;) {
        ssize_t r = recv(fd, (uint8_t *)p + done, n - done, 0);
        if (r <= 0)
            return -1;
        done += (size_t)r;
    }
    return 0;
}

int fake_read_frame(int fd, struct gm_frame_header *h, uint8_t **body)
{
    uint8_t raw[GM_FRAME_HEADER_SIZE];
    char err[128];
    *body = NULL;
    if (read_all(fd, raw, sizeof raw) != 0 || gm_frame_decode_header(raw, h, err, sizeof err) != 0)
        return -1;
    size_t n = h->length - GM_FRAME_MIN_LENGTH;
    *body = malloc(n ? n : 1);
    return read_all(fd, *body, n);
}

void fake_reply(int fd, uint64_t seq, int32_t status, const struct gm_buf *results)
{
    struct gm_buf f;
    gm_buf_init(&f);
    size_t n = results ? results->len : 0;
    gm_frame_put_header(&f, GM_OP_REPLY, 0, seq, 4 + n);
    gm_buf_put_i32(&f, status);
    if (n)
        gm_buf_put_bytes(&f, results->data, n);
    send(fd, f.data, f.len, MSG_NOSIGNAL);
    gm_buf_free(&f);
}

int fake_check_version(struct gm_reader *r)
{
    uint32_t magic = gm_get_u32(r);
    uint16_t major = gm_get_u16(r), minor = gm_get_u16(r);
    return magic == GM_PROTOCOL_MAGIC && major == 1 && minor == 0;
}
