package io.gpumigrate.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Work the worker process finishes before it exits, even when its session has ended meanwhile:
 * a {@code dump --leave-running} whose session resumed, and then ended (the client said GOODBYE),
 * while the image was still being sealed. Exiting then would lose an image that was already
 * captured, leave its temporary directory behind and drop the dump's reply.
 *
 * <p>Thread-safe.
 */
public final class ExitBarrier {

    private final Map<CompletableFuture<?>, String> open = new ConcurrentHashMap<>();

    /**
     * Holds the worker's exit until {@code work} completes (in any way). {@code what} names it
     * in the log when the exit has to wait.
     */
    public void hold(String what, CompletableFuture<?> work) {
        open.put(work, what);
        work.whenComplete((r, e) -> open.remove(work));
    }

    /**
     * Waits until every held work has completed, at most {@code timeout}.
     *
     * @return what was still running at the deadline (empty when everything completed)
     */
    public List<String> await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (CompletableFuture<?> work : List.copyOf(open.keySet())) {
            long left = deadline - System.nanoTime();
            try {
                work.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                break;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
                // completed: how is the work's own business
            }
        }
        return new ArrayList<>(open.values());
    }

    /** What is held now, for the log. */
    public List<String> pending() {
        return new ArrayList<>(open.values());
    }
}
