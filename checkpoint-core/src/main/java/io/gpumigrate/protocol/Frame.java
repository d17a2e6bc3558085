package io.gpumigrate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One frame of the wire protocol: its header fields and its body.
 *
 * <pre>
 *  +--------+------+-------+-----------------+--------------------------+
 *  | length |  op  | flags |       seq       |           body           |
 *  |  u32   | u16  |  u16  |       u64       |   length - 12 bytes      |
 *  +--------+------+-------+-----------------+--------------------------+
 * </pre>
 *
 * <p>Ownership: a frame owns one reference to its body, like every {@link io.netty.buffer.ByteBufHolder}.
 * Whoever holds the frame last releases it ({@code frame.release()} or
 * {@code ReferenceCountUtil.release(frame)}); a body obtained through {@link #body()} is
 * borrowed and must be {@code retain}ed to outlive the frame. The body's reader index is the
 * first body byte. Not thread-safe; a frame may be handed from one thread to another.
 */
public final class Frame extends DefaultByteBufHolder {

    private final int opCode;
    private final int flags;
    private final long seq;

    /**
     * @param opCode the u16 operation code as it was on the wire (possibly unknown)
     * @param flags  the u16 flags field
     * @param seq    the sequence number
     * @param body   the body; the frame takes over this reference
     */
    public Frame(int opCode, int flags, long seq, ByteBuf body) {
        super(body);
        if ((opCode & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("op code " + opCode + " outside 0..65535");
        }
        if ((flags & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("flags " + flags + " outside 0..65535");
        }
        this.opCode = opCode;
        this.flags = flags;
        this.seq = seq;
    }

    /** A frame for {@code op}, with {@link WireFormat#FLAG_REPLY_WANTED} set when {@code replyWanted}. */
    public static Frame of(Op op, boolean replyWanted, long seq, ByteBuf body) {
        return new Frame(op.code(), replyWanted ? WireFormat.FLAG_REPLY_WANTED : 0, seq, body);
    }

    /** The raw operation code; may name no known {@link Op}. */
    public int opCode() {
        return opCode;
    }

    /** The operation, or {@code null} when the code is unknown. */
    public Op op() {
        return Op.of(opCode);
    }

    public int flags() {
        return flags;
    }

    public boolean replyWanted() {
        return (flags & WireFormat.FLAG_REPLY_WANTED) != 0;
    }

    public long seq() {
        return seq;
    }

    /** The body, borrowed from this frame (see the class comment on ownership). */
    public ByteBuf body() {
        return content();
    }

    /** The value of the length field this frame is sent with. */
    public int wireLength() {
        return WireFormat.HEADER_AFTER_LENGTH + content().readableBytes();
    }

    @Override
    public Frame replace(ByteBuf content) {
        return new Frame(opCode, flags, seq, content);
    }

    @Override
    public Frame retain() {
        super.retain();
        return this;
    }

    @Override
    public Frame retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public Frame touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        Op op = op();
        return "Frame[" + (op != null ? op : "op 0x" + Integer.toHexString(opCode))
                + ", flags=" + flags + ", seq=" + seq + ", body=" + content().readableBytes() + " bytes]";
    }
}
