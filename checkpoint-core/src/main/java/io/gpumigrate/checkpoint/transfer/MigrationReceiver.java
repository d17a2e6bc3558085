package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.device.DeviceBackend;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The target side of one migration: listens, takes the connections of the first
 * {@link MigrationSender} (as many as its HELLO announces), places the session's allocations on the target device at their
 * addresses, applies the chunks as they arrive, and answers VERIFIED once it holds exactly the
 * source's final state. Connections of any other source are refused.
 *
 * <pre>
 *   MigrationReceiver r = MigrationReceiver.listen(new InetSocketAddress(0), backend, sessionExecutor, options);
 *   // tell the source r.address()
 *   ReceivedImage got = r.result().get();   // the worker re-creates modules, streams, events, handles from got.image()
 * </pre>
 *
 * <p>All-or-nothing: until VERIFIED has been written, any failure frees every allocation the
 * receiver placed before {@link #result()} completes exceptionally. After it, the session's
 * memory stays; {@link #discard()} frees it if the agents decide not to commit after all.
 *
 * <p>Thread-safe. The target backend is called on {@code applyExecutor}, which must run tasks
 * one at a time in order (the target session's executor; null gives the receiver its own), and,
 * between those tasks, on the chunk pool's threads for {@link
 * io.gpumigrate.device.DeviceBackend#copyHtoDConcurrently} only: nothing else may use the
 * backend while a transfer runs.
 */
public final class MigrationReceiver implements AutoCloseable {

    private static final int EVENT_LOOPS = 8;

    private final EventLoopGroup group;
    private volatile Channel server;
    private final ExecutorService ownExecutor;
    private final CompletableFuture<ReceivedImage> result = new CompletableFuture<>();
    private final AtomicReference<ReceiverSession> session = new AtomicReference<>();
    private final java.util.List<Channel> connections = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final LogReceiver logs = new LogReceiver();

    private MigrationReceiver(EventLoopGroup group, ExecutorService ownExecutor) {
        this.group = group;
        this.ownExecutor = ownExecutor;
    }

    /**
     * Binds {@code bind} (port 0: any free port, see {@link #address()}) and waits for a source.
     *
     * @throws IOException when the address cannot be bound
     */
    public static MigrationReceiver listen(InetSocketAddress bind, DeviceBackend target, Executor applyExecutor,
                                           TransferOptions options) throws IOException {
        ExecutorService own = applyExecutor == null ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gpumigrate-migration-target");
            t.setDaemon(true);
            return t;
        }) : null;
        Executor apply = applyExecutor != null ? applyExecutor : own;
        // one I/O thread per connection of a striped transfer, up to eight (the handler itself is serialized)
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Math.min(options.streams(), EVENT_LOOPS),
                NioIoHandler.newFactory());
        MigrationReceiver self = new MigrationReceiver(group, own);
        try {
            self.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            self.accept(ch, target, apply, options);
                        }
                    })
                    .bind(bind).sync().channel();
            return self;
        } catch (InterruptedException e) {
            shutdown(group, own);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while binding " + bind);
        } catch (RuntimeException e) {
            shutdown(group, own);
            throw new IOException("cannot listen for a migration on " + bind + ": " + e.getMessage(), e);
        }
    }

    private void accept(SocketChannel ch, DeviceBackend target, Executor apply, TransferOptions options) {
        connections.add(ch);
        ReceiverSession s = session.updateAndGet(current -> current != null ? current
                : new ReceiverSession(target, apply, options, result, logs));
        // every connection goes to the one session: it takes the streams its first HELLO announces
        // and refuses any other source
        TransferPipeline.configure(ch.pipeline(), s, options.pipelineHook());
    }

    /**
     * The session's replay log, if the source ships one (protocol 2.1): tell it where to stage
     * the files before the source connects; its {@link LogReceiver#outcome()} is final once
     * {@link #result()} completes.
     */
    public LogReceiver log() {
        return logs;
    }

    /** Where the receiver listens. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /**
     * Completes with the received image once VERIFIED is written; completes exceptionally with
     * a {@link TransferAbortedException} after a failure, once the target holds none of the
     * session's allocations any more.
     */
    public CompletableFuture<ReceivedImage> result() {
        return result;
    }

    /**
     * Frees the allocations a transfer placed (on the apply executor, after any work in
     * progress): for a verified image the agents decided not to commit. Completes at once when
     * no source ever connected.
     */
    public CompletableFuture<Void> discard() {
        ReceiverSession s = session.get();
        return s == null ? CompletableFuture.completedFuture(null) : s.discard();
    }

    /**
     * Stops listening and closes the connection; a transfer still in progress aborts, and
     * {@link #result()} completes once it is rolled back (never wait for that on the apply executor).
     */
    @Override
    public void close() {
        ReceiverSession s = session.get();
        if (s != null) {
            s.fail("the target closed the receiver", true); // nothing, once committed
            s.releaseScratches(); // nothing, unless committed
        }
        server.close().awaitUninterruptibly();
        for (Channel c : connections) {
            c.close().awaitUninterruptibly();
        }
        if (s == null) {
            result.completeExceptionally(new TransferAbortedException("the receiver closed before a source connected"));
        }
        shutdown(group, ownExecutor);
    }

    private static void shutdown(EventLoopGroup group, ExecutorService own) {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (own != null) {
            own.shutdown();
        }
    }
}
