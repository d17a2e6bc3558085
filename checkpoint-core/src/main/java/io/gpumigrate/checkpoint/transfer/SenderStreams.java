package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.device.AddressRange;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The source's connections ("streams") of one transfer, each introduced with its HELLO when
 * {@link #open} connects it, and the stream each chunk goes on: chunk {@code i} of an allocation
 * goes on stream {@code i % streams}, so every version of one chunk travels on one connection,
 * in order. Stream 0 is the primary one: module images, the replay log and the session state go
 * there. What the target says on any of them is the {@link SenderHandler}'s.
 *
 * <p>Not thread-safe: the thread that drives the {@link MigrationSender}.
 */
final class SenderStreams {

    private static final int EVENT_LOOPS = 8;

    private final EventLoopGroup group;
    /** The transfer's connections; chunk {@code i} of an allocation goes on {@code channels[i % length]}. */
    private final Channel[] channels;
    private final int chunkSize;
    /** Bases of the allocations of the current round, to find a chunk's index from its address. */
    private final TreeSet<Long> allocationBases = new TreeSet<>();

    private SenderStreams(EventLoopGroup group, Channel[] channels, int chunkSize) {
        this.group = group;
        this.channels = channels;
        this.chunkSize = chunkSize;
    }

    /**
     * Connects {@code options.streams()} connections to a receiver, each introducing itself,
     * then has {@code sender} make what drives them. Blocking. When connecting or {@code sender}
     * fails, the event loops are shut down, which closes the connections.
     *
     * @throws IOException when the connections cannot be made
     */
    static <T> T open(InetSocketAddress target, TransferOptions options, SenderHandler handler,
                      Function<SenderStreams, T> sender) throws IOException {
        int streams = options.streams();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Math.min(streams, EVENT_LOOPS), NioIoHandler.newFactory());
        Channel[] channels = new Channel[streams];
        try {
            Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            TransferPipeline.configure(ch.pipeline(), handler, options.pipelineHook());
                        }
                    });
            for (int k = 0; k < streams; k++) {
                channels[k] = bootstrap.connect(target).sync().channel();
                channels[k].writeAndFlush(new TransferMessage.Hello(TransferProtocol.MAJOR, TransferProtocol.MINOR,
                        options.chunkSize(), streams, k));
            }
            return sender.apply(new SenderStreams(group, channels, options.chunkSize()));
        } catch (InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to " + target);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot connect to migration target " + target + ": " + e.getMessage(), e);
        }
    }

    /** How many streams there are. */
    int count() {
        return channels.length;
    }

    /** Stream {@code k}. */
    Channel stream(int k) {
        return channels[k];
    }

    /** Stream 0, the primary one. */
    Channel primary() {
        return channels[0];
    }

    /** Writes a round's ALLOCATIONS on every stream. */
    void sendAllocations(int round, List<AddressRange> allocations) {
        for (Channel channel : channels) {
            channel.writeAndFlush(new TransferMessage.Allocations(round, allocations));
        }
    }

    /** Routes the chunks of {@code allocations} (a round's) from now on. */
    void route(List<AddressRange> allocations) {
        allocationBases.clear();
        allocations.forEach(r -> allocationBases.add(r.base()));
    }

    /**
     * The connection of the chunk at {@code address}: its index in its allocation modulo the
     * streams, so every version of one chunk travels on one connection, in order.
     */
    Channel streamOf(long address) {
        if (channels.length == 1) {
            return channels[0];
        }
        Long base = allocationBases.floor(address);
        long index = (address - (base == null ? 0 : base)) / chunkSize;
        return channels[(int) (index % channels.length)];
    }

    /** Writes ABORT with {@code reason} on every stream still open, closing each once written. */
    void abort(String reason) {
        for (Channel channel : channels) {
            if (channel.isActive()) {
                channel.writeAndFlush(new TransferMessage.Abort(reason)).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** Closes every stream, waiting for each, then the event loops. */
    void close() {
        for (Channel channel : channels) {
            channel.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
