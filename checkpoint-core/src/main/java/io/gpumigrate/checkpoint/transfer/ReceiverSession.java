package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.CheckpointFormatException;
import io.gpumigrate.checkpoint.ChunkCodec;
import io.gpumigrate.checkpoint.ChunkCorruptedException;
import io.gpumigrate.checkpoint.ChunkWorkers;
import io.gpumigrate.checkpoint.CompressionPolicy;
import io.gpumigrate.checkpoint.EncodedChunk;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.checkpoint.SessionImageCodec;
import io.gpumigrate.device.DeviceBackend;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target side of one migration connection. Frames arrive on the event loop; chunks are
 * decoded and hash-checked on the shared chunk pool, and applied to the target device on the
 * apply executor, in arrival order (a later round's version of a chunk lands after the earlier one).
 *
 * <p>Outcome: VERIFIED is sent once the FINISH state matches what the target holds, and the
 * result completes when that frame is written. Any failure before that (a bad frame, a corrupted
 * chunk, ABORT from the source, the connection closing) frees every allocation placed, then
 * completes the result exceptionally, and tells the source when the connection still stands.
 *
 * <p>Thread-safety: the event loop calls the handler methods; {@link #fail} may be called from any thread.
 */
final class ReceiverSession extends SimpleChannelInboundHandler<TransferMessage> {

    private static final Logger log = LoggerFactory.getLogger(ReceiverSession.class);

    /** How long an aborting target waits for the source to read ABORT and close. */
    private static final long ABORT_LINGER_SECONDS = 10;

    private enum Phase { RECEIVING, VERIFIED_SENT, COMMITTED, FAILED }

    /** Decoding buffers of one chunk: the decompressed bytes, and a direct copy of a payload that is not. */
    private record Scratch(MemorySegment raw, MemorySegment payload) {
    }

    private record Decoded(TransferMessage.Chunk chunk, MemorySegment raw, Scratch scratch, Throwable error) {
    }

    private final DeviceBackend target;
    private final Executor applyExecutor;
    private final TransferOptions options;
    private final CompletableFuture<ReceivedImage> result;
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.RECEIVING);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentLinkedQueue<Scratch> scratches = new ConcurrentLinkedQueue<>();
    private final long startNanos = System.nanoTime();
    private volatile Channel channel;
    private ChunkCodec codec;
    private TargetState state;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    ReceiverSession(DeviceBackend target, Executor applyExecutor, TransferOptions options,
                    CompletableFuture<ReceivedImage> result) {
        this.target = target;
        this.applyExecutor = applyExecutor;
        this.options = options;
        this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TransferMessage msg) {
        if (phase.get() != Phase.RECEIVING) {
            if (msg instanceof TransferMessage.Chunk c) {
                c.payload().release();
            }
            return;
        }
        switch (msg) {
            case TransferMessage.Hello h -> hello(h);
            case TransferMessage.Abort a -> fail("the source aborted: " + a.reason(), false);
            case TransferMessage.Chunk c when codec == null -> {
                c.payload().release();
                fail("CHUNK before HELLO", true);
            }
            case TransferMessage.Chunk c -> chunk(c);
            case TransferMessage.Allocations a when state != null -> then(() -> state.allocations(a.allocations()));
            case TransferMessage.Finish f when state != null -> then(() -> finish(f));
            default -> fail("unexpected " + msg.getClass().getSimpleName() + " frame", true);
        }
    }

    private void hello(TransferMessage.Hello h) {
        if (codec != null) {
            fail("a second HELLO", true);
            return;
        }
        if (h.major() != TransferProtocol.MAJOR) {
            fail("migration protocol " + h.major() + "." + h.minor() + " is not this target's " + TransferProtocol.MAJOR
                    + "." + TransferProtocol.MINOR, true);
            return;
        }
        try {
            codec = new ChunkCodec(h.chunkSize(), CompressionPolicy.NEVER);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage(), true);
            return;
        }
        state = new TargetState(target, h.chunkSize());
    }

    private void chunk(TransferMessage.Chunk c) {
        if (inFlight.incrementAndGet() >= options.inFlight()) {
            channel.config().setAutoRead(false);
        }
        Scratch scratch = scratch();
        CompletableFuture<Decoded> decoded = CompletableFuture.supplyAsync(() -> decode(c, scratch), ChunkWorkers.shared());
        synchronized (this) {
            tail = tail.thenCombineAsync(decoded, (v, d) -> {
                try {
                    if (d.error() != null) {
                        fail(d.error().getMessage(), true);
                    } else if (phase.get() == Phase.RECEIVING) {
                        state.apply(c.address(), c.rawLength(), c.encoding(), c.hash(), d.raw());
                    }
                } catch (Exception e) {
                    fail(e.getMessage(), true);
                } finally {
                    c.payload().release();
                    scratches.add(scratch);
                    if (inFlight.decrementAndGet() == options.inFlight() / 2) {
                        Channel ch = channel;
                        ch.eventLoop().execute(() -> ch.config().setAutoRead(true));
                    }
                }
                return null;
            }, applyExecutor);
        }
    }

    private Decoded decode(TransferMessage.Chunk c, Scratch scratch) {
        try {
            ByteBuf payload = c.payload();
            int n = payload.readableBytes();
            MemorySegment segment;
            if (n == 0) {
                segment = MemorySegment.NULL;
            } else if (payload.nioBufferCount() == 1 && payload.nioBuffer().isDirect()) {
                segment = MemorySegment.ofBuffer(payload.nioBuffer());
            } else if (n <= scratch.payload().byteSize()) {
                segment = scratch.payload().asSlice(0, n);
                payload.getBytes(payload.readerIndex(), segment.asByteBuffer());
            } else {
                throw new ChunkCorruptedException(c.address(), "payload of " + n + " bytes exceeds the maximum "
                        + scratch.payload().byteSize());
            }
            EncodedChunk chunk = new EncodedChunk(c.address(), c.rawLength(), c.encoding(), c.hash(), segment);
            return new Decoded(c, codec.decode(chunk, scratch.raw()), scratch, null);
        } catch (ChunkCorruptedException | RuntimeException e) {
            return new Decoded(c, null, scratch, e);
        }
    }

    private Scratch scratch() {
        Scratch s = scratches.poll();
        if (s != null) {
            return s;
        }
        Arena arena = Arena.ofAuto();
        return new Scratch(arena.allocate(codec.chunkSize(), 4096), arena.allocate(codec.maxEncodedLength(), 4096));
    }

    private void finish(TransferMessage.Finish f) throws Exception {
        SessionImage image;
        try {
            image = SessionImageCodec.decode(f.sessionImage(), "the FINISH frame's session image");
        } catch (CheckpointFormatException e) {
            throw new TransferAbortedException(e.getMessage(), e);
        }
        state.verify(image, f.chunkHashes());
        if (!phase.compareAndSet(Phase.RECEIVING, Phase.VERIFIED_SENT)) {
            return;
        }
        ReceivedImage received = new ReceivedImage(image, state.chunks(), state.bytes(),
                (System.nanoTime() - startNanos) / 1e9);
        channel.writeAndFlush(new TransferMessage.Verified(state.chunks(), state.bytes())).addListener(w -> {
            if (w.isSuccess() && phase.compareAndSet(Phase.VERIFIED_SENT, Phase.COMMITTED)) {
                result.complete(received);
            } else {
                fail("VERIFIED could not be sent: " + w.cause(), false);
            }
        });
    }

    private interface TargetStep {
        void run() throws Exception;
    }

    /** Runs a step on the apply executor after everything before it; a failing step aborts the transfer. */
    private synchronized void then(TargetStep step) {
        tail = tail.thenRunAsync(() -> {
            if (phase.get() != Phase.RECEIVING) {
                return;
            }
            try {
                step.run();
            } catch (Exception e) {
                fail(e.getMessage(), true);
            }
        }, applyExecutor);
    }

    /**
     * Aborts, once: tells the source (when {@code tellSource} and the connection stands), closes
     * the connection, frees everything placed on the target, then fails the result.
     */
    void fail(String reason, boolean tellSource) {
        Phase was;
        do {
            was = phase.get();
            if (was == Phase.COMMITTED || was == Phase.FAILED) {
                return;
            }
        } while (!phase.compareAndSet(was, Phase.FAILED));
        log.warn("migration transfer aborted: {}", reason);
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            if (tellSource && ch instanceof SocketChannel socket) {
                // Half-close after ABORT and keep reading (and dropping) until the source closes:
                // closing with its chunks unread would reset the connection, and a reset can
                // destroy the ABORT before the source reads why.
                socket.config().setAutoRead(true);
                socket.writeAndFlush(new TransferMessage.Abort(reason)).addListener(f -> socket.shutdownOutput());
                socket.eventLoop().schedule(() -> {
                    socket.close();
                }, ABORT_LINGER_SECONDS, TimeUnit.SECONDS);
            } else {
                ch.close();
            }
        }
        synchronized (this) {
            tail = tail.whenCompleteAsync((v, e) -> {
                if (state != null) {
                    state.rollback();
                }
                result.completeExceptionally(new TransferAbortedException(reason));
            }, applyExecutor);
        }
    }

    /** Frees what a committed transfer placed, when the agent decides not to take the session after all. */
    CompletableFuture<Void> discard() {
        synchronized (this) {
            return tail.thenRunAsync(() -> {
                if (state != null) {
                    state.rollback();
                }
            }, applyExecutor);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail("the connection to the source closed before the image was complete", false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail("the migration stream failed: " + cause.getMessage(), true);
    }
}
