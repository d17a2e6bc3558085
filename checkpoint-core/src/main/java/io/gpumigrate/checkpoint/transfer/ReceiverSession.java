package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.CheckpointFormatException;
import io.gpumigrate.checkpoint.ChunkCodec;
import io.gpumigrate.checkpoint.ChunkWorkers;
import io.gpumigrate.checkpoint.CompressionPolicy;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.checkpoint.SessionImageCodec;
import io.gpumigrate.device.DeviceBackend;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target side of one migration connection. Frames arrive on the event loop; chunks are
 * decoded, hash-checked and applied to the target device on the shared chunk pool, several at
 * once and in any order within a round ({@link ParallelApply}); the barriers' steps (placing
 * allocations, verifying) run on the apply executor between rounds, so a later round's version
 * of a chunk lands after the earlier one.
 *
 * <p>Outcome: VERIFIED is sent once the FINISH state matches what the target holds, and the
 * result completes when that frame is written. Any failure before that (a bad frame, a corrupted
 * chunk, ABORT from the source, the connection closing) frees every allocation placed, then
 * completes the result exceptionally, and tells the source when the connection still stands.
 *
 * <p>One session serves every connection ("stream") of the transfer ({@link TransferProtocol}):
 * ALLOCATIONS and FINISH are barriers, taken once every stream has delivered them; a stream
 * that has delivered one holds (queues, and stops reading) what follows until the others have
 * ({@link ReceiverStreams}).
 *
 * <p>Thread-safety: the event loops call the handler methods, serialized on the session;
 * {@link #fail} may be called from any thread.
 */
@io.netty.channel.ChannelHandler.Sharable
final class ReceiverSession extends SimpleChannelInboundHandler<TransferMessage> {

    private static final Logger log = LoggerFactory.getLogger(ReceiverSession.class);

    private enum Phase { RECEIVING, VERIFIED_SENT, COMMITTED, FAILED }

    private final DeviceBackend target;
    private final Executor applyExecutor;
    private final TransferOptions options;
    private final CompletableFuture<ReceivedImage> result;
    private final LogReceiver logs;
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.RECEIVING);
    private final AtomicInteger inFlight = new AtomicInteger();
    private ScratchPool scratches;
    private ParallelApply applier;
    /** Modules loaded from MODULES; the apply executor's. */
    private PreloadedModules preloaded;
    private final long startNanos = System.nanoTime();
    /** The primary connection (stream 0): where VERIFIED goes. */
    private volatile Channel channel;
    private final ReceiverStreams streams = new ReceiverStreams(this);
    private TransferMessage.Finish primaryFinish;
    private ChunkCodec codec;
    private TargetState state;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    ReceiverSession(DeviceBackend target, Executor applyExecutor, TransferOptions options,
                    CompletableFuture<ReceivedImage> result) {
        this(target, applyExecutor, options, result, new LogReceiver());
    }

    ReceiverSession(DeviceBackend target, Executor applyExecutor, TransferOptions options,
                    CompletableFuture<ReceivedImage> result, LogReceiver logs) {
        this.logs = logs;
        this.target = target;
        this.applyExecutor = applyExecutor;
        this.options = options;
        this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        streams.connected(ctx.channel());
    }

    @Override
    protected synchronized void channelRead0(ChannelHandlerContext ctx, TransferMessage msg) {
        ReceiverStream stream = streams.get(ctx.channel());
        if (stream != null && !stream.refused && stream.index < 0 && msg instanceof TransferMessage.Hello
                && codec != null && phase.get() != Phase.RECEIVING) {
            streams.refuse(stream); // a source that comes after this transfer ended
            return;
        }
        if (stream == null || stream.refused || phase.get() != Phase.RECEIVING) {
            release(msg);
            return;
        }
        if (stream.held) {
            stream.queue.add(msg);
            return;
        }
        dispatch(stream, msg);
    }

    private static void release(TransferMessage msg) {
        if (msg instanceof TransferMessage.Chunk c) {
            c.payload().release();
        } else if (msg instanceof TransferMessage.LogData d) {
            d.data().release();
        }
    }

    private void dispatch(ReceiverStream stream, TransferMessage msg) {
        if (phase.get() != Phase.RECEIVING) {
            release(msg);
            return;
        }
        switch (msg) {
            case TransferMessage.Hello h -> hello(stream, h);
            case TransferMessage.Abort a -> fail("the source aborted: " + a.reason(), false);
            case TransferMessage.Chunk c when codec == null || stream.index < 0 -> {
                c.payload().release();
                fail("CHUNK before HELLO", true);
            }
            case TransferMessage.Chunk c -> chunk(stream.channel, c);
            case TransferMessage.LogBegin b when stream.index == 0 -> logs.begin(b);
            case TransferMessage.LogData d when stream.index == 0 -> logs.data(d);
            case TransferMessage.LogEnd e when stream.index == 0 -> logs.end(e);
            case TransferMessage.LogData d -> {
                d.data().release();
                fail("LOG_DATA on stream " + stream.index + "; the log travels on stream 0", true);
            }
            case TransferMessage.Allocations a when state != null && stream.index >= 0 -> barrier(stream, a);
            case TransferMessage.Modules m when state != null && stream.index == 0 -> then(() -> preloaded.load(m.modules()));
            case TransferMessage.Finish f when state != null && stream.index >= 0 -> {
                if (stream.index == 0) {
                    primaryFinish = f;
                }
                barrier(stream, f);
            }
            default -> fail("unexpected " + msg.getClass().getSimpleName() + " frame", true);
        }
    }

    /**
     * Stream {@code stream} delivered a barrier frame: hold it until every stream has, then take
     * the frame once (FINISH: stream 0's) and let every stream go on with what it queued.
     */
    private void barrier(ReceiverStream stream, TransferMessage frame) {
        if (!streams.arrive(stream)) {
            return;
        }
        if (frame instanceof TransferMessage.Allocations a) {
            then(() -> state.allocations(a.allocations()));
        } else {
            TransferMessage.Finish f = primaryFinish;
            then(() -> finish(f));
        }
        streams.releaseHeld(this::dispatch);
    }

    private void hello(ReceiverStream stream, TransferMessage.Hello h) {
        if (stream.index >= 0) {
            fail("a second HELLO", true);
            return;
        }
        if (codec != null && (h.streams() != streams.expected() || h.stream() < 0 || h.stream() >= streams.expected()
                || h.chunkSize() != codec.chunkSize() || streams.taken(h.stream()))) {
            streams.refuse(stream);
            return;
        }
        if (h.major() != TransferProtocol.MAJOR) {
            fail("migration protocol " + h.major() + "." + h.minor() + " is not this target's " + TransferProtocol.MAJOR
                    + "." + TransferProtocol.MINOR, true);
            return;
        }
        if (h.streams() < 1 || h.streams() > TransferProtocol.MAX_STREAMS || h.stream() < 0 || h.stream() >= h.streams()) {
            fail("stream " + h.stream() + " of " + h.streams() + " is outside 1 to " + TransferProtocol.MAX_STREAMS
                    + " streams", true);
            return;
        }
        if (codec == null) {
            try {
                codec = new ChunkCodec(h.chunkSize(), CompressionPolicy.NEVER);
            } catch (IllegalArgumentException e) {
                fail(e.getMessage(), true);
                return;
            }
            streams.expect(h.streams());
            state = new TargetState(target, h.chunkSize());
            scratches = new ScratchPool(target, codec);
            preloaded = new PreloadedModules(target);
            applier = new ParallelApply(codec, scratches, state, ChunkWorkers.shared(), new ParallelApply.Outcome() {
                @Override
                public boolean live() {
                    return phase.get() == Phase.RECEIVING;
                }

                @Override
                public void failed(String reason) {
                    fail(reason, true);
                }

                @Override
                public void released() {
                    if (inFlight.decrementAndGet() == options.inFlight() / 2) {
                        streams.resumeReading();
                    }
                }
            });
            // pinning takes a while on a GPU: done now, while the source is still pre-copying or connecting
            then(() -> scratches.prepare(ChunkWorkers.threads()));
        }
        stream.index = h.stream();
        if (stream.index == 0) {
            channel = stream.channel;
        }
    }

    private void chunk(Channel from, TransferMessage.Chunk c) {
        if (inFlight.incrementAndGet() >= options.inFlight()) {
            from.config().setAutoRead(false);
        }
        synchronized (this) {
            applier.submit(c, tail);
        }
    }

    private void finish(TransferMessage.Finish f) throws Exception {
        long finishAt = System.nanoTime();
        SessionImage image;
        try {
            image = SessionImageCodec.decode(f.sessionImage(), "the FINISH frame's session image");
        } catch (CheckpointFormatException e) {
            throw new TransferAbortedException(e.getMessage(), e);
        }
        state.verify(image, f.chunkHashes()); // a failure unpins the scratches (fail); a success after the commit
        logs.outcome(); // the log is checked, never fatal: a bad one is reported by the worker
        if (!phase.compareAndSet(Phase.RECEIVING, Phase.VERIFIED_SENT)) {
            return;
        }
        String applied = applier.times();
        long now = System.nanoTime();
        ReceivedImage received = new ReceivedImage(image, state.chunks(), state.bytes(), (now - startNanos) / 1e9,
                preloaded);
        channel.writeAndFlush(new TransferMessage.Verified(state.chunks(), state.bytes())).addListener(w -> {
            if (w.isSuccess() && phase.compareAndSet(Phase.VERIFIED_SENT, Phase.COMMITTED)) {
                result.complete(received);
            } else {
                fail("VERIFIED could not be sent: " + w.cause(), false);
            }
        });
        log.info("verified {} chunks, {} bytes, {} ms after FINISH; {}", state.chunks(), state.bytes(),
                FinishTimes.millis(now - finishAt), applied);
    }

    /** The last step and every chunk submitted after it, done; call holding the lock. */
    private CompletableFuture<Void> drained() {
        return applier == null ? tail.handle((v, e) -> null) : applier.drained(tail);
    }

    private interface TargetStep {
        void run() throws Exception;
    }

    /** Runs a step on the apply executor after everything before it; a failing step aborts the transfer. */
    private synchronized void then(TargetStep step) {
        tail = drained().thenRunAsync(() -> {
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
        streams.abort(reason, tellSource);
        synchronized (this) {
            tail = drained().whenCompleteAsync((v, e) -> {
                if (scratches != null) {
                    scratches.unpinAll();
                }
                if (preloaded != null) {
                    preloaded.unloadRest(); // the result fails: nobody else will take them
                }
                if (state != null) {
                    state.rollback();
                }
                logs.outcome(); // closes the staged files
                result.completeExceptionally(new TransferAbortedException(reason));
            }, this::runOnApplyExecutor);
        }
    }

    /**
     * After a commit: unregisters the scratches' pinned memory on the apply executor, one at a
     * time between the session's calls (not inside the pause, where it cost tens of ms on a GPU).
     */
    void releaseScratches() {
        if (phase.get() != Phase.COMMITTED) {
            return; // a failure releases them itself
        }
        synchronized (this) {
            tail = drained().whenCompleteAsync((v, e) -> {
                if (scratches != null) {
                    scratches.unpinStepwise(this::runOnApplyExecutor);
                }
            }, this::runOnApplyExecutor);
        }
    }

    /** Runs {@code r} on the apply executor, or here when that executor has been shut down (the receiver closed). */
    private void runOnApplyExecutor(Runnable r) {
        try {
            applyExecutor.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            r.run();
        }
    }

    /** Frees what a committed transfer placed, when the agent decides not to take the session after all. */
    CompletableFuture<Void> discard() {
        synchronized (this) {
            return drained().thenRunAsync(() -> {
                if (state != null) {
                    state.rollback();
                }
            }, applyExecutor);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (streams.removeRefused(ctx.channel())) {
            return;
        }
        fail("the connection to the source closed before the image was complete", false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail("the migration stream failed: " + cause.getMessage(), true);
    }
}
