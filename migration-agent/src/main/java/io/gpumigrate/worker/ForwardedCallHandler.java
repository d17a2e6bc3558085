package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Handshake;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.Replies;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last handler of a worker connection. Until the connection has attached, it accepts
 * only an {@code ATTACH} with the right magic, version, session and secret (anything else is
 * answered with an error and the connection closed). Once attached, it hands every frame to
 * the {@link Session}'s executor, in arrival order, and writes the replies back. While the
 * session's state is still arriving (a restore, a migration before its commit), ATTACH is
 * refused with {@code CUDA_ERROR_NOT_READY}: the client asks again.
 *
 * <p>When more than {@value #HIGH_WATER} bytes of calls are queued it stops reading from
 * the socket until fewer than {@value #LOW_WATER} remain, so a client that pipelines copies
 * cannot grow the worker's memory without bound. Closing the attached connection ends the
 * session; closing any other connection changes nothing.
 *
 * <p>One instance per channel; its callbacks run on the channel's event loop.
 */
public final class ForwardedCallHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ForwardedCallHandler.class);

    static final long HIGH_WATER = 64L << 20;
    static final long LOW_WATER = 16L << 20;
    /** What a queued frame costs beyond its body, so that floods of empty frames are bounded too. */
    private static final long FRAME_OVERHEAD = 128;

    private final Session session;
    private final AtomicLong queuedBytes = new AtomicLong();
    private boolean attached;

    public ForwardedCallHandler(Session session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!attached && io.gpumigrate.worker.migration.WorkerControlHandler.isControl(frame.op())) {
            // the agent's control connection (migrate, dump, restore) rather than a client's
            ctx.pipeline().replace(this, "control", new io.gpumigrate.worker.migration.WorkerControlHandler(session));
            ctx.fireChannelRead(frame);
            return;
        }
        if (!attached) {
            try {
                attach(ctx, frame);
            } finally {
                frame.release();
            }
            return;
        }
        long cost = frame.body().readableBytes() + FRAME_OVERHEAD;
        Channel channel = ctx.channel();
        if (queuedBytes.addAndGet(cost) > HIGH_WATER) {
            channel.config().setAutoRead(false);
        }
        boolean goodbye = frame.op() == Op.GOODBYE;
        session.submit(frame, ctx.alloc(), reply -> {
            if (goodbye) {
                channel.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
            } else {
                channel.writeAndFlush(reply, channel.voidPromise());
            }
        }, () -> {
            // a paused session's connection stays unread until it resumes (Session#pause)
            if (queuedBytes.addAndGet(-cost) < LOW_WATER && !channel.config().isAutoRead() && !session.paused()) {
                channel.config().setAutoRead(true);
            }
        });
    }

    private void attach(ChannelHandlerContext ctx, Frame frame) {
        if (frame.op() != Op.ATTACH) {
            refuse(ctx, frame, CuResult.NOT_PERMITTED, "the connection must ATTACH before any call, got " + frame);
            return;
        }
        Handshake.Attach request;
        try {
            request = Handshake.readAttach(frame.body());
        } catch (CudaException e) {
            refuse(ctx, frame, e.result(), e.getMessage());
            return;
        }
        if (!session.authenticates(request.session(), request.secret())) {
            refuse(ctx, frame, CuResult.NOT_PERMITTED, "session " + Long.toUnsignedString(request.session())
                    + " with this secret is not served here");
            return;
        }
        if (session.attachWait().arriving()) {
            // a client that located the session too early (a restore under way) asks again
            refuse(ctx, frame, CuResult.NOT_READY, "session " + session.id() + " is still being restored or"
                    + " migrated here; ATTACH again once it has arrived");
            return;
        }
        if (!session.claimClient()) {
            refuse(ctx, frame, CuResult.ILLEGAL_STATE, "session " + session.id() + " already has its client");
            return;
        }
        attached = true;
        session.clientConnected(ctx.channel());
        log.info("session {}: client attached from {}", session.id(), ctx.channel().remoteAddress());
        Frame reply = Replies.success(ctx.alloc(), frame.seq());
        new BodyWriter(reply.body()).u64(session.stats().lastAppliedSeq());
        ctx.writeAndFlush(reply);
    }

    private void refuse(ChannelHandlerContext ctx, Frame frame, int status, String reason) {
        log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), reason);
        if (frame.replyWanted()) {
            ctx.writeAndFlush(Replies.error(ctx.alloc(), frame.seq(), status, reason))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (attached) {
            session.end("client connection closed");
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("closing connection from {} after an unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
