package io.gpumigrate.agent.migration;

import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

import java.util.function.Consumer;

/** Answers one control call on the caller's connection: PROGRESS frames, then the REPLY. Thread-safe. */
final class Responder {

    private final ChannelHandlerContext ctx;
    private final long seq;

    Responder(ChannelHandlerContext ctx, long seq) {
        this.ctx = ctx;
        this.seq = seq;
    }

    void progress(ControlConnection.Progress p) {
        ByteBuf body = ctx.alloc().buffer();
        p.writeTo(new BodyWriter(body));
        ctx.writeAndFlush(Frame.of(Op.PROGRESS, false, seq, body), ctx.voidPromise());
    }

    void success(Consumer<BodyWriter> results) {
        Frame reply = Replies.success(ctx.alloc(), seq);
        results.accept(new BodyWriter(reply.body()));
        ctx.writeAndFlush(reply);
    }

    /** Replies an error; a {@code CUresult} prefix a {@link io.gpumigrate.device.CudaException} put in front is dropped. */
    void error(int status, String message) {
        ctx.writeAndFlush(Replies.error(ctx.alloc(), seq, status, plain(message)));
    }

    /** {@code message} without the leading {@code "CUDA_ERROR_X (n): "} prefixes, which the reply's status says already. */
    static String plain(String message) {
        return message == null ? "" : message.replaceFirst("^(CUDA_ERROR_[A-Z_]+ \\(\\d+\\): )+", "");
    }

    /** Refuses and closes the connection (a bad token). */
    void refuse(int status, String message) {
        ctx.writeAndFlush(Replies.error(ctx.alloc(), seq, status, message)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Writes a frame a peer sent in answer to a forwarded call. */
    void relay(Frame frame) {
        ctx.writeAndFlush(frame);
    }
}
