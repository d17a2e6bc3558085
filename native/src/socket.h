/*
 * Blocking socket I/O for the wire protocol: connecting, writing frames, reading one reply.
 * Stateless; callers serialize use of a socket.
 */
#ifndef GM_SOCKET_H
#define GM_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "cuda.h"
#include "frame.h"

/** What every call returns once the connection to the worker is lost. */
#define GM_LINK_ERROR CUDA_ERROR_DEVICE_UNAVAILABLE

/**
 * Opens a TCP connection to host:port with TCP_NODELAY and a 10 s connect timeout.
 * Returns the socket, or -1 with the reason in err.
 */
int gm_tcp_connect(const char *host, uint16_t port, char *err, size_t err_len);

/**
 * One handshake exchange on a raw socket (HELLO to the agent, ATTACH to the worker): sends op
 * with seq 0 and REPLY_WANTED, reads the reply. Returns the reply's status (results in
 * results, or the message in msg), or GM_LINK_ERROR with the reason in msg.
 */
CUresult gm_exchange(int fd, uint16_t op, const struct gm_buf *body, struct gm_buf *results,
                     char *msg, size_t msg_len);

/** gm_exchange with another seq (a call on a fresh connection to an agent, such as SESSION_LOCATE). */
CUresult gm_exchange_at(int fd, uint16_t op, uint64_t seq, const struct gm_buf *body, struct gm_buf *results,
                        char *msg, size_t msg_len);

/** Writes all of iov (modified as it goes); 0, or -1 with errno set. Never raises SIGPIPE. */
int gm_send_iov(int fd, struct iovec *iov, int count);

/** Reads and validates one frame header. Returns 0, or -1 with the reason in msg. */
int gm_recv_header(int fd, struct gm_frame_header *h, char *msg, size_t msg_len);

/** Reads the body of the frame whose header is h into `into` (replacing its content). 0, or -1 with the reason. */
int gm_recv_body(int fd, const struct gm_frame_header *h, struct gm_buf *into, char *msg, size_t msg_len);

/**
 * Reads the body of the REPLY whose header is h: the status (into *status), then either the
 * results (into results, or exactly sink_len bytes into sink) or, for an error status, the
 * message (via scratch into msg). Returns 0, or -1 with the reason in msg (I/O, bad length).
 */
int gm_recv_reply_body(int fd, const struct gm_frame_header *h, struct gm_buf *results, void *sink, size_t sink_len,
                       struct gm_buf *scratch, CUresult *status, char *msg, size_t msg_len);

/**
 * Reads the REPLY to seq: its status, then either the results (into results, or exactly
 * sink_len bytes into sink) or, for an error status, the message (via scratch into msg).
 * Returns the status, or GM_LINK_ERROR with the reason in msg (bad frame, wrong seq, I/O).
 */
CUresult gm_read_reply(int fd, uint64_t seq, struct gm_buf *results, void *sink, size_t sink_len,
                       struct gm_buf *scratch, char *msg, size_t msg_len);

#endif
