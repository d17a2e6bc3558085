/*
 * Wire helpers of the test fakes (fake_worker.c, fake_cluster.c): loopback listeners, reading
 * whole frames, writing replies. Blocking I/O; each fd belongs to one fake thread.
 */
#ifndef GM_TEST_FAKE_WIRE_H
#define GM_TEST_FAKE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/** A socket listening on 127.0.0.1 at a free port (in *port). */
int fake_listen(int *port);
/** Accepts a connection, with TCP_NODELAY as the client library sets it; -1 once the listener is shut down. */
int fake_accept(int listen_fd);
/** Reads one frame; its body lands in a malloc'd buffer (*body) that the caller frees. 0, or -1 at EOF or a bad frame. */
int fake_read_frame(int fd, struct gm_frame_header *h, uint8_t **body);
/** Writes a REPLY to seq: status, then results (may be NULL). */
void fake_reply(int fd, uint64_t seq, int32_t status, const struct gm_buf *results);
/** Reads and checks HELLO's and ATTACH's magic and version 1.0. */
int fake_check_version(struct gm_reader *r);

#endif
