package io.gpumigrate.worker.migration;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.Replies;
import io.gpumigrate.worker.Session;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * A worker connection from its agent rather than its client (docs/migration-protocol.md,
 * "Agent and worker"). The first frame is {@code MIGRATE} (this worker is a migration's
 * source), {@code RESTORE} (a migration's target, or a restore from a checkpoint image) or
 * {@code DUMP}; its body starts with the session's secret. Later frames commit what the
 * first one prepared; the connection closing before the commit aborts it.
 *
 * <p>One instance per connection; callbacks on the connection's event loop.
 */
public final class WorkerControlHandler extends SimpleChannelInboundHandler<Frame> {

    private static final Logger log = LoggerFactory.getLogger(WorkerControlHandler.class);

    private final Session session;
    private ControlOperation operation;
    private ControlChannel control;

    public WorkerControlHandler(Session session) {
        this.session = session;
    }

    /** Whether a connection's first frame makes it a control connection. */
    public static boolean isControl(Op op) {
        return op == Op.MIGRATE || op == Op.RESTORE || op == Op.DUMP;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        Op op = frame.op();
        BodyReader body = new BodyReader(frame.body(), op == null ? "control frame" : op);
        if (control == null) {
            control = new ControlChannel(ctx.channel());
        }
        try {
            if (operation == null) {
                String secret = body.str();
                if (!session.authenticates(session.id(), secret)) {
                    refuse(ctx, frame, CuResult.NOT_PERMITTED, op + " for session " + session.id() + " with a wrong secret");
                    return;
                }
                operation = switch (op) {
                    case MIGRATE -> new SourceMigration(session, control);
                    case RESTORE -> new TargetRestore(session, control);
                    case DUMP -> new CheckpointDump(session, control);
                    default -> throw new CudaException(CuResult.NOT_SUPPORTED, op + " cannot open a control connection");
                };
                log.info("session {}: {} requested by {}", session.id(), op, ctx.channel().remoteAddress());
                operation.start(frame.seq(), body);
            } else {
                operation.next(op, frame.seq(), body);
            }
        } catch (CudaException e) {
            control.error(frame.seq(), e.result(), e.getMessage());
        }
    }

    private static void refuse(ChannelHandlerContext ctx, Frame frame, int status, String reason) {
        log.warn("closing control connection from {}: {}", ctx.channel().remoteAddress(), reason);
        ctx.writeAndFlush(Replies.error(ctx.alloc(), frame.seq(), status, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (operation != null) {
            operation.connectionClosed();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            log.warn("closing control connection from {}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
