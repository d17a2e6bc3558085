package io.gpumigrate.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Session workers started ahead of their sessions: each has its JVM up, its backend open
 * (on a GPU: context created, address window reserved) and listens, so that a {@code HELLO}
 * is served by {@linkplain WorkerProcess#claim claiming} one instead of waiting for a cold
 * start. Taking a worker starts its replacement in the background.
 *
 * <p>A warm worker that dies unclaimed is dropped. One that dies before it was ready (its
 * backend could not open) is not replaced until the next {@link #take}, so a node whose
 * backend fails does not restart workers in a loop.
 *
 * <p>Thread-safe.
 */
final class WarmWorkerPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WarmWorkerPool.class);

    private final int size;
    private final WorkerLauncher launcher;
    private final Executor starts;
    private final long stopGraceMillis;
    /** Warm workers, oldest first; guarded by {@code this}. */
    private final Deque<WorkerProcess> idle = new ArrayDeque<>();
    private int starting;
    private boolean closed;
    private final CompletableFuture<Void> firstReady = new CompletableFuture<>();

    /**
     * @param size   how many warm workers to keep, 0 for none
     * @param starts runs the (blocking) process starts
     */
    WarmWorkerPool(int size, WorkerLauncher launcher, Executor starts, long stopGraceMillis) {
        if (size < 0 || size > 64) {
            throw new IllegalArgumentException("warm workers " + size + " outside [0, 64]");
        }
        this.size = size;
        if (size == 0) {
            firstReady.complete(null);
        }
        this.launcher = launcher;
        this.starts = starts;
        this.stopGraceMillis = stopGraceMillis;
    }

    /** Starts workers in the background until {@code size} are warm or starting. */
    void fill() {
        int wanted;
        synchronized (this) {
            wanted = closed ? 0 : size - idle.size() - starting;
            starting += Math.max(wanted, 0);
        }
        for (int i = 0; i < wanted; i++) {
            try {
                starts.execute(this::startOne);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                synchronized (this) {
                    starting--; // the agent is closing
                }
            }
        }
    }

    /**
     * Completes once the first warm worker has opened its backend (and, on a GPU, reported the
     * device: that report comes before its readiness), or could not; at once for a pool of none.
     */
    CompletableFuture<Void> firstReady() {
        return firstReady;
    }

    private void startOne() {
        WorkerProcess worker;
        try {
            worker = launcher.launchWarm();
        } catch (IOException | RuntimeException e) {
            log.warn("cannot start a warm worker: {}", e.toString());
            synchronized (this) {
                starting--;
            }
            firstReady.complete(null);
            return;
        }
        worker.ready().whenComplete((port, failure) -> firstReady.complete(null)); // fails if it exits first
        boolean keep;
        synchronized (this) {
            starting--;
            keep = !closed;
            if (keep) {
                idle.addLast(worker);
            }
        }
        if (!keep) {
            worker.stop(stopGraceMillis);
            return;
        }
        worker.exited().thenAccept(code -> dropped(worker, code));
    }

    private void dropped(WorkerProcess worker, int code) {
        boolean wasIdle;
        synchronized (this) {
            wasIdle = idle.remove(worker);
        }
        if (!wasIdle) {
            return;
        }
        boolean wasReady = worker.ready().isDone() && !worker.ready().isCompletedExceptionally();
        log.warn("warm worker pid {} exited unclaimed with status {}{}", worker.pid(), code,
                wasReady ? "; starting another" : " before its backend was ready; not replaced until the next session");
        if (wasReady) {
            fill();
        }
    }

    /**
     * Takes the oldest live warm worker (ready or still starting: either is ahead of a cold
     * start) and starts its replacement.
     *
     * @return the worker, now the caller's to claim and stop; empty when none is warm
     */
    Optional<WorkerProcess> take() {
        WorkerProcess taken = null;
        synchronized (this) {
            while (!closed && taken == null && !idle.isEmpty()) {
                WorkerProcess candidate = idle.pollFirst();
                if (candidate.isAlive()) {
                    taken = candidate;
                }
            }
        }
        fill();
        return Optional.ofNullable(taken);
    }

    /** How many warm workers wait unclaimed now, for tests and metrics. */
    synchronized int idleCount() {
        return idle.size();
    }

    /** The process ids of the warm workers waiting now, for tests and diagnostics. */
    synchronized List<Long> idlePids() {
        return idle.stream().map(WorkerProcess::pid).toList();
    }

    /** Stops every unclaimed worker and starts no more; workers still starting are stopped as they come. Idempotent. */
    @Override
    public void close() {
        List<WorkerProcess> stopping;
        synchronized (this) {
            closed = true;
            stopping = new ArrayList<>(idle);
            idle.clear();
        }
        firstReady.complete(null);
        for (WorkerProcess worker : stopping) {
            worker.stop(stopGraceMillis);
        }
    }
}
