package io.gpumigrate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Writes {@link Frame}s: a 16-byte header buffer followed by the frame's body buffer itself,
 * so that a large body (a device-to-host copy) is never copied. Takes ownership of each frame
 * it is given (the body reference moves to the outbound buffer list). Stateless and sharable.
 */
@ChannelHandler.Sharable
public final class CallFrameEncoder extends MessageToMessageEncoder<Frame> {

    public CallFrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        int length = frame.wireLength();
        if (length > WireFormat.MAX_FRAME_LENGTH) {
            throw new EncoderException("frame length " + length + " exceeds the maximum "
                    + WireFormat.MAX_FRAME_LENGTH + " (" + frame + ")");
        }
        ByteBuf header = ctx.alloc().buffer(16);
        writeHeader(header, frame);
        out.add(header);
        out.add(frame.body().retain());
    }

    /** Writes the 16 header bytes of {@code frame} (length, op, flags, seq) to {@code dst}. */
    public static void writeHeader(ByteBuf dst, Frame frame) {
        dst.writeIntLE(frame.wireLength());
        dst.writeShortLE(frame.opCode());
        dst.writeShortLE(frame.flags());
        dst.writeLongLE(frame.seq());
    }
}
