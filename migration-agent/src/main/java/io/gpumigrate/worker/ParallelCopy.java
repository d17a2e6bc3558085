package io.gpumigrate.worker;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Copies large memory ranges with several threads: a range of at least two {@link #PART}s is cut
 * into parts of about {@code PART} bytes (at most {@code helpers + 1}); the calling thread copies
 * the first and a small shared pool of daemon threads the others, and {@link #copy} returns once
 * all are done. Smaller ranges, or a host with one core, are copied on the caller's thread.
 *
 * <p>The segments must be accessible from any thread (not from a confined arena). Thread-safe;
 * the pool is shared by every session of the worker and lives as long as the JVM.
 */
final class ParallelCopy {

    /** Target bytes of one part. */
    static final long PART = 2L << 20;
    private static final int HELPERS = Math.min(4, Runtime.getRuntime().availableProcessors() - 1);
    private static final ExecutorService POOL = HELPERS <= 0 ? null : Executors.newFixedThreadPool(HELPERS,
            Thread.ofPlatform().daemon().name("shm-copy-", 0).factory());

    private ParallelCopy() {
    }

    /** Copies all of {@code src} to the start of {@code dst}, which must be at least as large. */
    static void copy(MemorySegment src, MemorySegment dst) {
        long n = src.byteSize();
        if (dst.byteSize() < n) {
            throw new IllegalArgumentException("destination of " + dst.byteSize() + " bytes for " + n + " bytes");
        }
        int parts = (int) Math.min(HELPERS + 1L, n / PART);
        if (POOL == null || parts < 2) {
            dst.copyFrom(src);
            return;
        }
        long each = (n + parts - 1) / parts;
        CompletableFuture<?>[] others = new CompletableFuture<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            long from = i * each;
            long len = Math.min(each, n - from);
            others[i - 1] = CompletableFuture.runAsync(
                    () -> dst.asSlice(from, len).copyFrom(src.asSlice(from, len)), POOL);
        }
        dst.asSlice(0, each).copyFrom(src.asSlice(0, each));
        CompletableFuture.allOf(others).join();
    }
}
