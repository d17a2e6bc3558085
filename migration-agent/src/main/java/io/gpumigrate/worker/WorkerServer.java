package io.gpumigrate.worker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;

/**
 * The TCP server of one session worker: accepts connections and gives each the worker
 * pipeline ({@link WorkerChannelInitializer}). Its one event loop polls briefly before it
 * blocks ({@link BusyPollSelectStrategy}, as long as the session's executor spins). Thread-safe.
 */
public final class WorkerServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel serverChannel;

    private WorkerServer(EventLoopGroup group, Channel serverChannel) {
        this.group = group;
        this.serverChannel = serverChannel;
    }

    /**
     * Starts listening for {@code session}'s client.
     *
     * @param port 0 for any free port
     */
    public static WorkerServer start(Session session, String bindAddress, int port) throws InterruptedException {
        return start(() -> session, bindAddress, port);
    }

    /**
     * Starts listening before the session is known (a warm worker): connections that arrive
     * while {@code session} supplies {@code null} are closed.
     */
    public static WorkerServer start(java.util.function.Supplier<Session> session, String bindAddress, int port)
            throws InterruptedException {
        return start(session, bindAddress, port, SpinningExecutor.DEFAULT_SPIN_NANOS);
    }

    /** As {@link #start(java.util.function.Supplier, String, int)}, with the event loop polling {@code spin} ns (0: never). */
    static WorkerServer start(java.util.function.Supplier<Session> session, String bindAddress, int port, long spin)
            throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, spin == 0 ? NioIoHandler.newFactory()
                : NioIoHandler.newFactory(SelectorProvider.provider(), () -> new BusyPollSelectStrategy(spin)));
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new WorkerChannelInitializer(session))
                    .bind(bindAddress, port).sync().channel();
            return new WorkerServer(group, channel);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** The port the server listens on. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Stops listening and closes every connection; waits up to two seconds for the event loop. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
