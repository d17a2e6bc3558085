package io.gpumigrate.worker;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.Frame;
import io.netty.buffer.ByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A session's pause for a migration or a dump, and the two ways it ends. From the moment a
 * pause is asked for, the session applies no call (those already queued included) but holds
 * them, and its client's connection is not read ({@link ClientConnection}); between two calls,
 * the device is drained. {@link #resume} applies the held calls in order and carries on;
 * {@link #redirect}, after a committed migration or a dump that ends the session, discards them
 * (the client resends them to the target) and hands the client over.
 *
 * <p>Thread-safe: {@link #pause}, {@link #resume}, {@link #redirect} and {@link #holding} may be
 * called from any thread; the held calls are the session executor's ({@link #hold} runs there).
 */
final class SessionPause {

    // Logs as the session: these lines are the session's, and log settings name Session.
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    /** A call as submitted; one received while the session was paused is kept until it resumes or moves. */
    record HeldCall(Frame call, ByteBufAllocator alloc, Consumer<Frame> replies, Runnable done) {
    }

    private final Session session;
    private final SessionResources resources;
    private final ErrorState errors;
    private final ClientConnection client;
    /** Executor only. */
    private final ArrayDeque<HeldCall> held = new ArrayDeque<>();
    /** Set as soon as a pause is asked for, so that calls queued before the pause wait too. */
    private volatile boolean holding;

    SessionPause(Session session, SessionResources resources, ErrorState errors, ClientConnection client) {
        this.session = session;
        this.resources = resources;
        this.errors = errors;
        this.client = client;
    }

    /** Whether a pause was asked for and the session has not resumed since. Any thread. */
    boolean holding() {
        return holding;
    }

    /** Keeps a call that arrived while holding, to apply or discard when the pause ends. Executor only. */
    void hold(HeldCall call) {
        held.addLast(call);
    }

    /**
     * Stops applying calls, between two calls (the replies of those applied are already
     * written), and drains the device. Calls not yet applied, those queued already included, are
     * held: {@link #resume} applies them, {@link #redirect} discards them (the client resends
     * them to the target). The client's connection is not read meanwhile.
     * Completes with the time of the pause (epoch microseconds).
     */
    CompletableFuture<Long> pause() {
        holding = true;
        client.stopReading();
        return session.onExecutor(() -> {
            long at = Session.epochMicros();
            if (!resources.released() && errors.sticky() == null) {
                try {
                    resources.backend().synchronize();
                } catch (CudaException e) {
                    log.warn("session {}: draining the device for the pause failed: {}", session.id(), e.getMessage());
                }
            }
            return at;
        });
    }

    /**
     * Applies the calls held during a pause, in order, with {@code apply}, then reads the client's
     * connection again and carries on as before. Idempotent.
     */
    CompletableFuture<Void> resume(Consumer<HeldCall> apply) {
        return session.onExecutor(() -> {
            holding = false;
            while (!held.isEmpty()) {
                apply.accept(held.pollFirst());
            }
            client.resumeReading();
            return null;
        });
    }

    /**
     * After a committed migration (or a dump that ends the session): discards the held calls,
     * ends the session with {@code reason}, writes {@code migrated} (a MIGRATED or CHECKPOINTED
     * frame) to the client after every reply already written, and ends the client's connection
     * once the client has read it ({@link ClientConnection#redirect}).
     */
    CompletableFuture<Void> redirect(Frame migrated, String reason) {
        CompletableFuture<Void> done = session.onExecutor(() -> {
            while (!held.isEmpty()) {
                HeldCall c = held.pollFirst();
                c.call().release();
                c.done().run();
            }
            session.end(reason);
            client.redirect(migrated);
            return null;
        });
        done.exceptionally(e -> {
            migrated.release();
            return null;
        });
        return done;
    }
}
