package io.gpumigrate.worker;

import io.gpumigrate.protocol.CallFrameDecoder;
import io.gpumigrate.protocol.CallFrameEncoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

import java.util.function.Supplier;

/**
 * Composes a worker connection's pipeline in reading order: framing, codec, then the calls.
 * A warm worker listens before it knows its session: a connection that arrives before the
 * session is set is closed. Thread-safe.
 */
final class WorkerChannelInitializer extends ChannelInitializer<SocketChannel> {

    private static final CallFrameEncoder ENCODER = new CallFrameEncoder();

    private final Supplier<Session> session;

    /** @param session the session served, or {@code null} while there is none yet */
    WorkerChannelInitializer(Supplier<Session> session) {
        this.session = session;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        Session served = session.get();
        if (served == null) {
            ch.close();
            return;
        }
        ch.config().setTcpNoDelay(true);
        ch.pipeline()
                .addLast("framing", new CallFrameDecoder())
                .addLast("codec", ENCODER)
                .addLast("calls", new ForwardedCallHandler(served));
    }
}
