package io.gpumigrate.worker;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Copies a large memory range with several threads, in the background: {@link #start} cuts it
 * into parts of about {@link #PART} bytes and has a small shared pool of daemon threads copy
 * them while the caller goes on with other work; {@link #finish} copies whatever parts no helper
 * has taken yet on the caller's thread and returns once every part is copied. With one core
 * (no helpers) {@code finish} copies it all.
 *
 * <p>The segments must be accessible from any thread (not from a confined arena), and neither
 * may change or be freed before {@code finish} returns. {@code start} and {@code finish} are
 * called by one thread, the owner; the pool is shared by every session of the worker and lives
 * as long as the JVM.
 */
final class ParallelCopy {

    /** Target bytes of one part. */
    static final long PART = 1L << 20;
    private static final int HELPERS = Math.min(4, Runtime.getRuntime().availableProcessors() - 1);
    private static final ExecutorService POOL = HELPERS <= 0 ? null : Executors.newFixedThreadPool(HELPERS,
            Thread.ofPlatform().daemon().name("shm-copy-", 0).factory());
    /** How long {@link #finish} parks at a time while a helper completes its part (bounds a missed wakeup). */
    private static final long PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final MemorySegment src;
    private final MemorySegment dst;
    private final int parts;
    private final long each;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger copied = new AtomicInteger();
    private volatile Thread waiter;

    private ParallelCopy(MemorySegment src, MemorySegment dst) {
        long n = src.byteSize();
        if (dst.byteSize() < n) {
            throw new IllegalArgumentException("destination of " + dst.byteSize() + " bytes for " + n + " bytes");
        }
        this.src = src;
        this.dst = dst;
        this.parts = (int) Math.max(1, (n + PART - 1) / PART);
        this.each = (n + parts - 1) / parts;
    }

    /** Copies all of {@code src} to the start of {@code dst} (at least as large) and returns when done. */
    static void copy(MemorySegment src, MemorySegment dst) {
        start(src, dst).finish();
    }

    /**
     * Starts copying all of {@code src} to the start of {@code dst} (at least as large) on the
     * pool's threads; a range of one part is left to {@link #finish}.
     */
    static ParallelCopy start(MemorySegment src, MemorySegment dst) {
        ParallelCopy c = new ParallelCopy(src, dst);
        int helpers = POOL == null ? 0 : Math.min(HELPERS, c.parts - 1);
        for (int h = 0; h < helpers; h++) {
            POOL.execute(c::drain);
        }
        return c;
    }

    /** Copies the parts not taken yet, waits for those being copied, and returns when all are done. Owner only. */
    void finish() {
        drain();
        while (copied.get() < parts) {
            waiter = Thread.currentThread();
            if (copied.get() < parts) {
                LockSupport.parkNanos(this, PARK_NANOS);
            }
        }
        waiter = null;
    }

    private void drain() {
        long n = src.byteSize();
        for (int i = next.getAndIncrement(); i < parts; i = next.getAndIncrement()) {
            long from = i * each;
            long len = Math.min(each, n - from);
            if (len > 0) {
                dst.asSlice(from, len).copyFrom(src.asSlice(from, len));
            }
            if (copied.incrementAndGet() == parts) {
                Thread w = waiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        }
    }
}
