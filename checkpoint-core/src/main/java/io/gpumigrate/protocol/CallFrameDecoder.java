package io.gpumigrate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Splits the byte stream into {@link Frame}s.
 *
 * <p>Never consumes a partial frame: until the whole frame has arrived it returns without
 * moving the reader index. The length field is checked as soon as it is readable and the
 * flags as soon as they are, so an oversized or malformed frame is refused before its body is
 * buffered; both raise a {@link MalformedFrameException} naming the value, after which this
 * decoder discards everything the channel sends (the handler closes the connection).
 *
 * <p>Each emitted frame's body is a retained slice of the cumulation buffer (no copy); the
 * frame owns it and the next handler must release the frame. One instance per channel; called
 * on the channel's event loop only.
 */
public final class CallFrameDecoder extends ByteToMessageDecoder {

    private static final int LENGTH_FIELD = 4;
    private static final int FLAGS_OFFSET = 6;
    private static final int FLAGS_END = FLAGS_OFFSET + 2;

    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        if (in.readableBytes() < LENGTH_FIELD) {
            return;
        }
        int length;
        try {
            length = FrameLimits.checkLength(in.getUnsignedIntLE(start));
            if (in.readableBytes() >= FLAGS_END) {
                FrameLimits.checkFlags(in.getUnsignedShortLE(start + FLAGS_OFFSET));
            }
        } catch (MalformedFrameException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        if (in.readableBytes() < LENGTH_FIELD + length) {
            return;
        }
        in.skipBytes(LENGTH_FIELD);
        int opCode = in.readUnsignedShortLE();
        int flags = in.readUnsignedShortLE();
        long seq = in.readLongLE();
        ByteBuf body = in.readRetainedSlice(length - WireFormat.HEADER_AFTER_LENGTH);
        out.add(new Frame(opCode, flags, seq, body));
    }
}
