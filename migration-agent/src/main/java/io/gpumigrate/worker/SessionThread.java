package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * A session's one thread and the two ways onto it: in order, behind what is queued already (the
 * client's calls, the device work of a migration or a dump), or urgently, right after the task
 * in progress and ahead of the queue (a pre-copy's device reads, which would otherwise wait
 * behind every pipelined launch). Every task the session queues runs the urgent ones first.
 * Once shut down, both ways reject tasks.
 *
 * <p>Thread-safe, except {@link #runUrgent} (the session's thread only).
 */
final class SessionThread {

    private final long id;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Runnable> urgent = new ConcurrentLinkedQueue<>();

    SessionThread(long id) {
        this.id = id;
        this.executor = new SpinningExecutor("session-" + id, SpinningExecutor.DEFAULT_SPIN_NANOS);
    }

    /** The thread's executor, in order: tasks run after those already queued. */
    ExecutorService executor() {
        return executor;
    }

    /** Runs tasks ahead of those already queued, right after the one in progress. */
    Executor urgentExecutor() {
        return task -> {
            urgent.add(task);
            executor.execute(this::runUrgent);
        };
    }

    /** Runs the urgent tasks waiting; on the session's thread only. */
    void runUrgent() {
        for (Runnable task = urgent.poll(); task != null; task = urgent.poll()) {
            task.run();
        }
    }

    /** Runs {@code task} on {@code on}; the result fails when the session has ended (the task is rejected). */
    <T> CompletableFuture<T> call(Executor on, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            on.execute(() -> {
                try {
                    result.complete(task.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new CudaException(CuResult.DEINITIALIZED, "session " + id + " has ended"));
        }
        return result;
    }
}
