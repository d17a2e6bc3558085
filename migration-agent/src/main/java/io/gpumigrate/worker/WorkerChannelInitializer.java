package io.gpumigrate.worker;

import io.gpumigrate.protocol.CallFrameDecoder;
import io.gpumigrate.protocol.CallFrameEncoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/** Composes a worker connection's pipeline in reading order: framing, codec, then the calls. Thread-safe. */
final class WorkerChannelInitializer extends ChannelInitializer<SocketChannel> {

    private static final CallFrameEncoder ENCODER = new CallFrameEncoder();

    private final Session session;

    WorkerChannelInitializer(Session session) {
        this.session = session;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.config().setTcpNoDelay(true);
        ch.pipeline()
                .addLast("framing", new CallFrameDecoder())
                .addLast("codec", ENCODER)
                .addLast("calls", new ForwardedCallHandler(session));
    }
}
