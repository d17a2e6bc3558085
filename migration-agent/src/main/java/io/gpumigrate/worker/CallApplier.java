package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.protocol.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one call of a {@link Session} and builds its reply: a call whose {@code seq} is not
 * above the last applied one is neither applied nor answered again; every call applied is shown
 * to the session's {@link CallObserver} and recorded in its ledger; and the error policy of
 * docs/wire-protocol.md decides what the reply carries (the call's own failure, a pending
 * deferred error on a SYNC reply, or the sticky error, after which no call but GOODBYE runs).
 * The results of calls that want no reply go to one reusable scratch buffer and are dropped.
 *
 * <p>Not thread-safe: session executor only, except {@link #observe} and {@link #observer}
 * (any thread).
 */
final class CallApplier {

    // Logs as the session: these lines are the session's, and log settings name Session.
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final int SCRATCH_BYTES = 4096;

    private final long id;
    private final SessionStats stats;
    private final CallDispatcher dispatcher;
    private final SessionLedger ledger;
    private final ErrorState errors;
    /** Ends the session when the client says GOODBYE. */
    private final Runnable goodbye;
    private volatile CallObserver observer = CallObserver.NONE;
    /** Results of calls that want no reply (pipelined launches, copies, memsets) go here and are dropped. Executor only. */
    private ByteBuf scratch = Unpooled.directBuffer(SCRATCH_BYTES);

    CallApplier(long id, SessionStats stats, CallDispatcher dispatcher, SessionLedger ledger, ErrorState errors,
                Runnable goodbye) {
        this.id = id;
        this.stats = stats;
        this.dispatcher = dispatcher;
        this.ledger = ledger;
        this.errors = errors;
        this.goodbye = goodbye;
    }

    /** Installs what sees every applied call. Any thread. */
    void observe(CallObserver observer) {
        this.observer = observer;
    }

    /** What sees every applied call now ({@link CallObserver#NONE} when nothing does). Any thread. */
    CallObserver observer() {
        return observer;
    }

    /** Releases the scratch buffer, once the session has ended. Executor only. */
    void releaseScratch() {
        scratch.release();
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
            // applied already (a client resending after a migration): neither applied nor answered again
            log.debug("session {}: ignoring seq {}, at or below the last applied {}", id, Long.toUnsignedString(seq),
                    stats.lastAppliedSeq());
            return null;
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
        ByteBuf body = call.body();
        int bodyStart = body.readerIndex();
        try {
            if (op == null) {
                throw new CudaException(CuResult.NOT_SUPPORTED,
                        String.format("unknown operation code 0x%04x", call.opCode()));
            }
            dispatcher.execute(op, new BodyReader(body, op), out);
            ledger.record(op, body.slice(bodyStart, body.writerIndex() - bodyStart), out);
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
            goodbye.run();
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
