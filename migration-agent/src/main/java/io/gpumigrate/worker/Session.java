package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One client's session: its device state and the single executor thread that applies its
 * calls, in the order they arrived, exactly once (a call whose {@code seq} is not above the
 * last applied one is refused, never applied twice).
 *
 * <p>Error policy (docs/wire-protocol.md): a call that fails without a reply to carry the
 * error leaves it as the deferred error; a SYNC reply carries a pending deferred error instead
 * of its own result and clears it; after a sticky error no call but GOODBYE is executed and
 * every reply carries the sticky error.
 *
 * <p>Thread-safe: {@link #submit}, {@link #end} and the accessors may be called from any thread.
 */
public final class Session {

    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final int SCRATCH_BYTES = 4096;

    private final long id;
    private final byte[] secret;
    private final SessionStats stats = new SessionStats();
    private final SessionResources resources;
    private final CallDispatcher dispatcher;
    private final ErrorState errors = new ErrorState();
    private final ExecutorService executor;
    private final AtomicBoolean clientAttached = new AtomicBoolean();
    private final AtomicBoolean ending = new AtomicBoolean();
    private final CompletableFuture<String> endRequested = new CompletableFuture<>();
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private volatile CallObserver observer = CallObserver.NONE;
    /** Results of calls that want no reply (pipelined launches, copies, memsets) go here and are dropped. Executor only. */
    private ByteBuf scratch = Unpooled.directBuffer(SCRATCH_BYTES);

    /** Takes ownership of {@code backend}: the session closes it when it ends. */
    public Session(long id, String secret, DeviceBackend backend) {
        this.id = id;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.resources = new SessionResources(backend, stats);
        this.dispatcher = new CallDispatcher(resources);
        this.executor = new SpinningExecutor("session-" + id, SpinningExecutor.DEFAULT_SPIN_NANOS);
    }

    /** Installs what sees every applied call (the replay log); set it before the client attaches. */
    public void observe(CallObserver observer) {
        this.observer = observer;
    }

    public long id() {
        return id;
    }

    public SessionStats stats() {
        return stats;
    }

    /** Whether {@code candidate} is this session's id and secret; compares the secret in constant time. */
    public boolean authenticates(long session, String candidate) {
        boolean secretOk = MessageDigest.isEqual(secret, candidate.getBytes(StandardCharsets.UTF_8));
        return secretOk & session == id;
    }

    /** Claims the session for a client connection; true for the first caller only. */
    boolean claimClient() {
        return clientAttached.compareAndSet(false, true) && !ending.get();
    }

    /**
     * Queues a call for the session's executor and takes ownership of the frame (it is released
     * after execution, or at once when the session has ended).
     *
     * @param replies receives the reply, on the executor thread, when the call wanted one
     * @param done    runs on the executor thread once the call has been handled
     */
    public void submit(Frame call, ByteBufAllocator alloc, Consumer<Frame> replies, Runnable done) {
        try {
            executor.execute(() -> {
                try {
                    if (!ending.get()) {
                        Frame reply = execute(call, alloc);
                        if (reply != null) {
                            replies.accept(reply);
                        }
                    }
                } finally {
                    call.release();
                    done.run();
                }
            });
        } catch (RejectedExecutionException e) {
            call.release();
            done.run();
        }
    }

    /**
     * Ends the session: releases everything it holds on the device (closing the backend) on
     * the executor, after the calls already queued. Idempotent; calls submitted afterwards are
     * dropped. The returned future completes with the first reason given.
     */
    public CompletableFuture<String> end(String reason) {
        if (ending.compareAndSet(false, true)) {
            log.info("session {} ending: {} ({} calls executed)", id, reason, stats.callsExecuted());
            endRequested.complete(reason);
            try {
                executor.execute(() -> {
                    try {
                        scratch.release();
                        resources.releaseAll();
                    } catch (RuntimeException e) {
                        log.warn("session {}: releasing the device failed", id, e);
                    } finally {
                        endObserver();
                        ended.complete(reason);
                    }
                });
            } finally {
                executor.shutdown();
            }
        }
        return ended;
    }

    private void endObserver() {
        try {
            observer.sessionEnded();
        } catch (RuntimeException e) {
            log.warn("session {}: closing its call observer failed", id, e);
        }
    }

    /** Completes, with the reason, as soon as {@link #end} is first called. */
    public CompletableFuture<String> endRequested() {
        return endRequested;
    }

    /** Whether a client connection has attached (it may have gone since). */
    public boolean clientAttached() {
        return clientAttached.get();
    }

    /** Completes, with the reason, when the session has ended and released its device. */
    public CompletableFuture<String> ended() {
        return ended;
    }

    /** The reusable buffer for the results of a call that wants no reply, emptied (a grown one is replaced). */
    private ByteBuf noReplyScratch() {
        if (scratch.capacity() > SCRATCH_BYTES) {
            scratch.release();
            scratch = Unpooled.directBuffer(SCRATCH_BYTES);
        }
        return scratch.clear();
    }

    /** Executes one call and builds its reply ({@code null} when none is wanted). Executor only. */
    Frame execute(Frame call, ByteBufAllocator alloc) {
        long seq = call.seq();
        Op op = call.op();
        if (Long.compareUnsigned(seq, stats.lastAppliedSeq()) <= 0) {
            return call.replyWanted() ? Replies.error(alloc, seq, CuResult.INVALID_VALUE, "seq "
                    + Long.toUnsignedString(seq) + " is not above the last applied seq "
                    + stats.lastAppliedSeq() + "; a call is applied once") : null;
        }
        stats.applied(seq);
        CallObserver watcher = observer;
        watcher.before(call);
        ErrorState.Failure sticky = errors.sticky();
        if (sticky != null && op != Op.GOODBYE) {
            watcher.after(call, sticky.status(), sticky.message(),
                    call.replyWanted() ? sticky.status() : CallObserver.NO_REPLY);
            return call.replyWanted() ? Replies.error(alloc, seq, sticky.status(), sticky.message()) : null;
        }
        ByteBuf out = call.replyWanted() ? alloc.directBuffer() : noReplyScratch();
        out.writeIntLE(CuResult.SUCCESS);
        ErrorState.Failure failure = null;
        try {
            if (op == null) {
                throw new CudaException(CuResult.NOT_SUPPORTED,
                        String.format("unknown operation code 0x%04x", call.opCode()));
            }
            dispatcher.execute(op, new BodyReader(call.body(), op), out);
        } catch (CudaException e) {
            failure = new ErrorState.Failure(e.result(), e.getMessage());
            errors.noteSticky(failure);
            log.debug("session {}: seq {} {} failed: {}", id, seq, op, e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            // A backend's bug, or input that drove it too deep, must not cost the client its reply.
            log.warn("session {}: seq {} {} raised an internal error", id, seq, op, e);
            failure = new ErrorState.Failure(CuResult.UNKNOWN, "internal error in the worker: " + e);
        }
        if (op == Op.GOODBYE) {
            end("the client said GOODBYE");
        }
        int own = failure == null ? CuResult.SUCCESS : failure.status();
        String ownMessage = failure == null ? null : failure.message();
        if (!call.replyWanted()) {
            watcher.after(call, own, ownMessage, CallObserver.NO_REPLY);
            if (failure != null && failure.status() != CuResult.NOT_READY) {
                errors.defer(failure);
            }
            return null;
        }
        if (op != null && op.kind() == Op.Kind.SYNC) {
            ErrorState.Failure deferred = errors.takeDeferred();
            if (deferred != null) {
                failure = deferred;
            }
        }
        if (errors.sticky() != null) {
            failure = errors.sticky();
        }
        if (failure == null) {
            watcher.results(call, out.slice(out.readerIndex() + 4, out.readableBytes() - 4));
        }
        watcher.after(call, own, ownMessage, failure == null ? CuResult.SUCCESS : failure.status());
        if (failure != null) {
            out.release();
            return Replies.error(alloc, seq, failure.status(), failure.message());
        }
        return Replies.success(seq, out);
    }
}
