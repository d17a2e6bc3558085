package io.gpumigrate.agent;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Handshake;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.Replies;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Answers an agent connection's requests: {@code HELLO} (check version and token, start a
 * worker, reply with where to attach) and {@code SESSION_LIST}. A bad token or a bad
 * handshake is answered with an error and the connection closed.
 *
 * <p>One instance per channel; callbacks on the channel's event loop, replies to HELLO
 * written from the thread that saw the worker listen.
 */
final class AgentRequestHandler extends SimpleChannelInboundHandler<Frame> {

    private static final Logger log = LoggerFactory.getLogger(AgentRequestHandler.class);

    private final NodeAgent agent;

    AgentRequestHandler(NodeAgent agent) {
        this.agent = agent;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        Op op = frame.op();
        if (op == Op.HELLO) {
            hello(ctx, frame);
        } else if (op == Op.SESSION_LIST) {
            sessionList(ctx, frame);
        } else if (io.gpumigrate.agent.migration.ControlRequests.handles(op)) {
            agent.control().handle(ctx, frame);
        } else {
            String what = op != null ? op.name() : String.format("op 0x%04x", frame.opCode());
            reply(ctx, frame, Replies.error(ctx.alloc(), frame.seq(), CuResult.NOT_SUPPORTED,
                    what + " is not a request an agent answers; send HELLO or SESSION_LIST"));
        }
    }

    private void hello(ChannelHandlerContext ctx, Frame frame) {
        Handshake.Hello hello;
        try {
            hello = Handshake.readHello(frame.body());
        } catch (CudaException e) {
            refuse(ctx, frame, e.result(), e.getMessage());
            return;
        }
        if (!agent.config().accepts(hello.token())) {
            refuse(ctx, frame, CuResult.NOT_PERMITTED, "HELLO from " + ctx.channel().remoteAddress()
                    + (hello.token().isEmpty() ? " has no token" : " has a wrong token") + "; this agent requires one");
            return;
        }
        if (agent.cordoned()) {
            refuse(ctx, frame, CuResult.NOT_PERMITTED, "node " + agent.config().name()
                    + " is cordoned: it takes no new sessions (gpumigrate node uncordon " + agent.config().name() + ")");
            return;
        }
        String workerHost = ((InetSocketAddress) ctx.channel().localAddress()).getAddress().getHostAddress();
        long seq = frame.seq();
        boolean replyWanted = frame.replyWanted();
        agent.openSession(hello, workerHost).whenComplete((session, failure) -> {
            if (!replyWanted) {
                return;
            }
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                log.warn("cannot open a session for {}: {}", hello.program(), cause.toString());
                ctx.writeAndFlush(Replies.error(ctx.alloc(), seq, CuResult.OPERATING_SYSTEM,
                        "the agent could not start a session worker: " + cause.getMessage()));
                return;
            }
            Frame reply = Replies.success(ctx.alloc(), seq);
            Handshake.writeHelloReply(reply.body(), session);
            ctx.writeAndFlush(reply);
        });
    }

    private void sessionList(ChannelHandlerContext ctx, Frame frame) {
        String token = "";
        try {
            if (frame.body().isReadable()) {
                token = new BodyReader(frame.body(), Op.SESSION_LIST).str();
            }
        } catch (CudaException e) {
            refuse(ctx, frame, e.result(), e.getMessage());
            return;
        }
        if (!agent.config().accepts(token)) {
            refuse(ctx, frame, CuResult.NOT_PERMITTED, "SESSION_LIST from " + ctx.channel().remoteAddress()
                    + " without the agent's token");
            return;
        }
        List<SessionRecord> all = agent.sessions().all();
        Frame reply = Replies.success(ctx.alloc(), frame.seq());
        BodyWriter w = new BodyWriter(reply.body()).u32(all.size());
        for (SessionRecord record : all) {
            record.info().writeTo(w);
        }
        reply(ctx, frame, reply);
    }

    private static void reply(ChannelHandlerContext ctx, Frame call, Frame reply) {
        if (call.replyWanted()) {
            ctx.writeAndFlush(reply);
        } else {
            reply.release();
        }
    }

    private static void refuse(ChannelHandlerContext ctx, Frame frame, int status, String reason) {
        log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), reason);
        ctx.writeAndFlush(Replies.error(ctx.alloc(), frame.seq(), status, reason))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
        } else if (!(cause instanceof IOException)) {
            log.warn("closing connection from {} after an unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
