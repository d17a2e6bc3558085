package io.gpumigrate.protocol;

import io.gpumigrate.device.CuResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Builds and reads {@code REPLY} frames. A reply body starts with an i32 {@code CUresult};
 * after a success come the operation's results, after a failure a {@code str} message.
 * Thread-safe (stateless).
 */
public final class Replies {

    private Replies() {
    }

    /** A successful reply to the call {@code seq}; the caller writes the results to {@code body()} after the status. */
    public static Frame success(ByteBufAllocator alloc, long seq) {
        ByteBuf body = alloc.buffer();
        body.writeIntLE(CuResult.SUCCESS);
        return new Frame(Op.REPLY.code(), 0, seq, body);
    }

    /** A successful reply whose body (status already written) the caller built. Takes over {@code body}. */
    public static Frame success(long seq, ByteBuf bodyWithStatus) {
        return new Frame(Op.REPLY.code(), 0, seq, bodyWithStatus);
    }

    /** A failed reply carrying {@code status} and a human-readable message. */
    public static Frame error(ByteBufAllocator alloc, long seq, int status, String message) {
        if (status == CuResult.SUCCESS) {
            throw new IllegalArgumentException("an error reply needs a nonzero status");
        }
        ByteBuf body = alloc.buffer();
        body.writeIntLE(status);
        new BodyWriter(body).str(message == null ? "" : message);
        return new Frame(Op.REPLY.code(), 0, seq, body);
    }

    /** The status of a reply, reading (consuming) it from the body. */
    public static int readStatus(Frame reply) {
        if (reply.opCode() != Op.REPLY.code()) {
            throw new IllegalArgumentException("not a reply: " + reply);
        }
        if (reply.body().readableBytes() < 4) {
            throw new IllegalArgumentException("reply body of " + reply.body().readableBytes()
                    + " bytes has no status");
        }
        return reply.body().readIntLE();
    }
}
