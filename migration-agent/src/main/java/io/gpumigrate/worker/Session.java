package io.gpumigrate.worker;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.protocol.Frame;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.checkpoint.transfer.PreloadedModules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One client's session: its device state and the single executor thread that applies its
 * calls, in the order they arrived, exactly once (a call whose {@code seq} is not above the
 * last applied one is refused, never applied twice).
 *
 * <p>Error policy (docs/wire-protocol.md, applied by {@link CallApplier}): a call that fails
 * without a reply to carry the error leaves it as the deferred error; a SYNC reply carries a
 * pending deferred error instead of its own result and clears it; after a sticky error no call
 * but GOODBYE is executed and every reply carries the sticky error.
 *
 * <p>Migration and checkpoint ({@code io.gpumigrate.worker.migration}): {@link #pause} stops
 * applying calls between two calls, {@link #exportImage} and {@link #importImage} move the
 * session's state, {@link #resume} carries on after an aborted migration and {@link #redirect}
 * hands the client to the target after a committed one ({@link SessionPause}).
 *
 * <p>Thread-safe: {@link #submit}, {@link #end} and the accessors may be called from any thread.
 */
public final class Session {

    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final long id;
    private final byte[] secret;
    private final SessionStats stats = new SessionStats();
    private final SessionResources resources;
    private final CallDispatcher dispatcher;
    private final ErrorState errors = new ErrorState();
    private final SessionThread thread;
    private final AtomicBoolean clientAttached = new AtomicBoolean();
    private final AtomicBoolean ending = new AtomicBoolean();
    private final CompletableFuture<String> endRequested = new CompletableFuture<>();
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private final SessionLedger ledger = new SessionLedger();
    private final ClientConnection client = new ClientConnection();
    private final CallApplier applier;
    private final SessionPause pause;
    private final AttachWait attachWait = new AttachWait(clientAttached::get);
    private final ExitBarrier exitBarrier = new ExitBarrier();
    private volatile java.nio.file.Path logDirectory;

    /** Takes ownership of {@code backend}: the session closes it when it ends. */
    public Session(long id, String secret, DeviceBackend backend) {
        this.id = id;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.resources = new SessionResources(backend, stats);
        this.dispatcher = new CallDispatcher(resources);
        this.applier = new CallApplier(id, stats, dispatcher, ledger, errors, () -> end("the client said GOODBYE"));
        this.pause = new SessionPause(this, resources, errors, client);
        this.thread = new SessionThread(id);
    }

    /** Installs what sees every applied call (the replay log); set it before the client attaches. */
    public void observe(CallObserver observer) {
        applier.observe(observer);
    }

    /** What sees every applied call now ({@link CallObserver#NONE} when nothing does). Any thread. */
    public CallObserver observer() {
        return applier.observer();
    }

    /**
     * Where this session's replay log lives on this node, or null when it keeps none: a
     * migration or a restore puts the log it brings there. Set once, before the client attaches.
     */
    public void logDirectory(java.nio.file.Path dir) {
        this.logDirectory = dir;
    }

    /** See {@link #logDirectory(java.nio.file.Path)}. Any thread. */
    public java.nio.file.Path logDirectory() {
        return logDirectory;
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
        SessionPause.HeldCall held = new SessionPause.HeldCall(call, alloc, replies, done);
        try {
            thread.executor().execute(() -> {
                thread.runUrgent();
                if (pause.holding() && !ending.get()) {
                    pause.hold(held);
                } else {
                    apply(held);
                }
            });
        } catch (RejectedExecutionException e) {
            call.release();
            done.run();
        }
    }

    private void apply(SessionPause.HeldCall c) {
        try {
            if (!ending.get()) {
                Frame reply = execute(c.call(), c.alloc());
                if (reply != null) {
                    c.replies().accept(reply);
                }
            }
        } finally {
            c.call().release();
            c.done().run();
        }
    }

    /** The client's connection, once attached; {@link #redirect} writes {@code MIGRATED} to it. */
    void clientConnected(Channel channel) {
        client.attached(channel);
    }

    /** The session's executor: device work of a migration or a dump runs there, between calls. */
    public Executor executor() {
        return thread.executor();
    }

    /**
     * Runs tasks on the session's thread ahead of the calls already queued, right after the
     * call in progress: a pre-copy's device reads, which would otherwise wait behind every
     * pipelined launch. Rejects tasks once the session has ended.
     */
    public Executor urgentExecutor() {
        return thread.urgentExecutor();
    }

    /** Runs {@code task} on the session's executor; fails when the session has ended. */
    public <T> CompletableFuture<T> onExecutor(Callable<T> task) {
        return thread.call(thread.executor(), task);
    }

    /** Runs {@code task} on the session's executor ahead of the queued calls ({@link #urgentExecutor}). */
    public <T> CompletableFuture<T> onUrgentExecutor(Callable<T> task) {
        return thread.call(urgentExecutor(), task);
    }

    /**
     * Stops applying calls, between two calls, and drains the device ({@link SessionPause#pause});
     * completes with the time of the pause (epoch microseconds). Any thread.
     */
    public CompletableFuture<Long> pause() {
        return pause.pause();
    }

    /** Applies the calls held during a pause and carries on: {@link SessionPause#resume}. Any thread; idempotent. */
    public CompletableFuture<Void> resume() {
        return pause.resume(this::apply);
    }

    /** Whether the session is paused (a migration or a dump): its client's connection is not read. */
    boolean paused() {
        return pause.holding();
    }

    /**
     * After a committed migration (or a dump that ends the session): ends the session with
     * {@code reason} and hands the client over with {@code migrated} ({@link SessionPause#redirect}).
     * Any thread.
     */
    public CompletableFuture<Void> redirect(Frame migrated, String reason) {
        return pause.redirect(migrated, reason);
    }

    /**
     * After {@link #redirect}: waits (at most {@value ClientConnection#REDIRECT_LINGER_SECONDS} s)
     * until the client has closed its connection, having read MIGRATED; the worker's process must
     * not end before, or closing the connection under the client could reset it first. At once
     * otherwise.
     */
    public void awaitRedirectedClient() {
        client.awaitRedirectedClose();
    }

    /** The session's state as an image (handles, modules, errors, allocations); executor only, paused. */
    SessionSnapshot snapshot() {
        return new SessionSnapshot(resources, dispatcher, ledger, errors, stats);
    }

    /** The images of the session's modules now, for a migration target to load early; the session may run. */
    public CompletableFuture<java.util.List<SessionImage.Module>> moduleImages() {
        return onExecutor(() -> snapshot().modules());
    }

    /** The whole session as a {@link SessionImage}; run it paused, so that nothing changes meanwhile. */
    public CompletableFuture<SessionImage> exportImage() {
        return onExecutor(() -> snapshot().export(id, secret()));
    }

    /**
     * Re-creates an exported session here, under the same handles, once its allocations are in
     * place on this device with their contents (a migration's receiver or a checkpoint's reader put them there).
     */
    public CompletableFuture<Void> importImage(SessionImage image) {
        return importImage(image, null);
    }

    /**
     * As {@link #importImage(SessionImage)}, taking modules from {@code preloaded} (a migration
     * target's, loaded before the pause) where their images match; the rest of them are unloaded.
     */
    public CompletableFuture<Void> importImage(SessionImage image, PreloadedModules preloaded) {
        return onExecutor(() -> {
            if (preloaded != null) {
                preloaded.keepOnly(image.modules()); // a module unloaded since must not hold a block another needs
            }
            resources.offerPreloaded(preloaded);
            try {
                snapshot().restore(image);
            } finally {
                resources.offerPreloaded(null);
                if (preloaded != null) {
                    preloaded.unloadRest();
                }
            }
            return null;
        });
    }

    /** The device, for the transfer code; call it only on {@link #executor()}. */
    public DeviceBackend device() throws CudaException {
        return resources.device();
    }

    /**
     * The device as the session's client sees it (module globals at their client-visible
     * addresses, {@link GlobalRelocatingBackend}); call it only on {@link #executor()}.
     */
    DeviceBackend clientView() throws CudaException {
        return resources.backend();
    }

    /** Where the session's module globals are seen and where they lie; call it only on {@link #executor()}. */
    GlobalAddressMap globals() {
        return resources.globals();
    }

    private String secret() {
        return new String(secret, StandardCharsets.UTF_8);
    }

    /** Microseconds since the epoch, the clock of pauses across processes. */
    public static long epochMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
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
                thread.executor().execute(() -> {
                    try {
                        applier.releaseScratch();
                        resources.releaseAll();
                    } catch (RuntimeException e) {
                        log.warn("session {}: releasing the device failed", id, e);
                    } finally {
                        endObserver();
                        ended.complete(reason);
                    }
                });
            } finally {
                thread.executor().shutdown();
            }
        }
        return ended;
    }

    private void endObserver() {
        try {
            applier.observer().sessionEnded();
        } catch (RuntimeException e) {
            log.warn("session {}: closing its call observer failed", id, e);
        }
    }

    /** Completes, with the reason, as soon as {@link #end} is first called. */
    public CompletableFuture<String> endRequested() {
        return endRequested;
    }

    /** How long the session waits for its client; a migration's target suspends it until the session arrives. */
    public AttachWait attachWait() {
        return attachWait;
    }

    /** What the worker finishes before it exits, even after the session has ended (a dump being sealed). */
    public ExitBarrier exitBarrier() {
        return exitBarrier;
    }

    /** Whether a client connection has attached (it may have gone since). */
    public boolean clientAttached() {
        return clientAttached.get();
    }

    /** Completes, with the reason, when the session has ended and released its device. */
    public CompletableFuture<String> ended() {
        return ended;
    }

    /** Executes one call and builds its reply ({@code null} when none is wanted): {@link CallApplier}. Executor only. */
    Frame execute(Frame call, ByteBufAllocator alloc) {
        return applier.execute(call, alloc);
    }
}
