package io.gpumigrate.agent;

import io.gpumigrate.protocol.CallFrameDecoder;
import io.gpumigrate.protocol.CallFrameEncoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/** Composes an agent connection's pipeline in reading order: framing, codec, then requests. Thread-safe. */
final class AgentChannelInitializer extends ChannelInitializer<SocketChannel> {

    private static final CallFrameEncoder ENCODER = new CallFrameEncoder();

    private final NodeAgent agent;

    AgentChannelInitializer(NodeAgent agent) {
        this.agent = agent;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("framing", new CallFrameDecoder())
                .addLast("codec", ENCODER)
                .addLast("requests", new AgentRequestHandler(agent));
    }
}
