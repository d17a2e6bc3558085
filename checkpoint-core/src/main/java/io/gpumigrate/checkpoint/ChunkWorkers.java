package io.gpumigrate.checkpoint;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The shared pool that encodes and decodes chunks: one daemon thread per core, created on first use. */
public final class ChunkWorkers {

    private ChunkWorkers() {
    }

    private static final class Holder {
        static final ExecutorService POOL = Executors.newFixedThreadPool(threads(), new ThreadFactory() {
            private final AtomicInteger next = new AtomicInteger();

            @Override
            public Thread newThread(Runnable r) {
                Thread t = new Thread(r, "gpumigrate-chunk-" + next.incrementAndGet());
                t.setDaemon(true);
                return t;
            }
        });
    }

    /** The pool; never shut it down. */
    public static ExecutorService shared() {
        return Holder.POOL;
    }

    /** Threads of the shared pool: the available cores. */
    public static int threads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Chunks an encoder or decoder on the shared pool holds at once: two per core (one being
     * worked on, one waiting), and two more for the producer to fill meanwhile.
     */
    public static int inFlight() {
        return 2 * threads() + 2;
    }
}
