package io.gpumigrate.replay.write;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the per-payload work of a block (hashing, compressing, writing blob files) on several
 * threads: the calling writer thread and up to {@code cores - 1} helpers from a pool shared by
 * every writer of the JVM. The caller takes part, so a busy pool slows a block down but never
 * stalls it.
 *
 * <p>Thread-safe.
 */
final class PayloadWorkers {

    /** Work on item {@code i} of a batch. */
    @FunctionalInterface
    interface Task {
        void run(int i) throws IOException;
    }

    private static final int HELPERS = Math.clamp(Runtime.getRuntime().availableProcessors() - 1, 0, 15);
    private static final ExecutorService POOL = HELPERS == 0 ? null : Executors.newFixedThreadPool(HELPERS,
            Thread.ofPlatform().daemon().name("replay-log-payload-", 0).factory());

    private PayloadWorkers() {
    }

    /**
     * Runs {@code task} for every {@code i} in {@code 0..n-1}, in no particular order, and returns
     * once all have finished.
     *
     * @throws IOException the first failure of a task (the others still run to their end)
     */
    static void forEach(int n, Task task) throws IOException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable drain = () -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                try {
                    task.run(i);
                } catch (IOException | RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                }
            }
        };
        int helpers = POOL == null ? 0 : Math.min(HELPERS, n - 1);
        CompletableFuture<?>[] running = new CompletableFuture<?>[Math.max(0, helpers)];
        for (int h = 0; h < running.length; h++) {
            running[h] = CompletableFuture.runAsync(drain, POOL);
        }
        drain.run();
        CompletableFuture.allOf(running).join();
        Throwable e = failure.get();
        switch (e) {
            case null -> { }
            case IOException io -> throw io;
            case RuntimeException r -> throw r;
            case Error err -> throw err;
            default -> throw new UncheckedIOException(new IOException(e));
        }
    }
}
