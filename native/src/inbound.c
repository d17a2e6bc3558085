/* Reading replies and MIGRATED from the session connection; see inbound.h. */
#include "inbound.h"

#include <stdio.h>

#include "socket.h"

enum gm_inbound gm_inbound_read(int fd, const struct gm_call *call, uint64_t seq, struct gm_resend *frames,
                                struct gm_buf *scratch, struct gm_inbound_result *out)
{
    struct gm_frame_header h;
    out->msg[0] = '\0';
    if (gm_recv_header(fd, &h, out->msg, sizeof out->msg) != 0)
        return GM_IN_BROKEN;
    if (h.op == GM_OP_MIGRATED) {
        if (gm_recv_body(fd, &h, scratch, out->msg, sizeof out->msg) != 0
            || gm_parse_migrated(scratch, &out->moved, out->msg, sizeof out->msg) != 0)
            return GM_IN_BROKEN;
        return GM_IN_MOVED;
    }
    if (h.op == GM_OP_CHECKPOINTED) {
        if (gm_recv_body(fd, &h, scratch, out->msg, sizeof out->msg) != 0
            || gm_parse_checkpointed(scratch, &out->moved, out->msg, sizeof out->msg) != 0)
            return GM_IN_BROKEN;
        return GM_IN_MOVED;
    }
    if (h.op != GM_OP_REPLY || h.seq == 0 || h.seq >= frames->next_seq) {
        snprintf(out->msg, sizeof out->msg, "the worker sent op 0x%04x (%s) with seq %llu; expected a REPLY to one "
                 "of seqs 1..%llu, MIGRATED or CHECKPOINTED", h.op, gm_op_name(h.op), (unsigned long long)h.seq,
                 (unsigned long long)(frames->next_seq - 1));
        return GM_IN_BROKEN;
    }
    int awaited = seq != 0 && h.seq == seq;
    if (gm_recv_reply_body(fd, &h, awaited ? call->results : NULL, awaited ? call->sink : NULL,
                           awaited ? call->sink_len : 0, scratch, &out->status, out->msg, sizeof out->msg) != 0)
        return GM_IN_BROKEN;
    gm_resend_trim(frames, h.seq);
    return awaited ? GM_IN_REPLY : GM_IN_OTHER;
}
