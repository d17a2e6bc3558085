package io.gpumigrate.worker;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread that runs tasks in the order they were submitted, like
 * {@code Executors.newSingleThreadExecutor}, except that when its queue runs empty it keeps
 * polling for {@code spinNanos} before it parks. A client that waits for a reply sends its
 * next call within microseconds, and a call found while spinning needs no thread wakeup (a
 * park/unpark pair costs several microseconds, more where the core sleeps); the price is up
 * to {@code spinNanos} of one core after each burst of calls.
 *
 * <p>A task that throws does not stop the thread; the throwable goes to the thread's
 * uncaught-exception handler. Thread-safe.
 */
final class SpinningExecutor extends AbstractExecutorService {

    static final int SPIN_MIN_CPUS = 4;

    /**
     * Default spin, from the system property {@code gpumigrate.worker.spinMicros}; without it 50
     * microseconds where the machine has at least {@value #SPIN_MIN_CPUS} CPUs, else 0 (on a
     * small machine a spinning thread takes the CPU that the thread it waits for needs).
     */
    static final long DEFAULT_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("gpumigrate.worker.spinMicros",
            Runtime.getRuntime().availableProcessors() >= SpinningExecutor.SPIN_MIN_CPUS ? 50 : 0));

    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final long spinNanos;
    private final Thread thread;
    /** Orders {@link #execute} against {@link #shutdown}: once the thread sees shutdown, every accepted task is queued. */
    private final Object accepting = new Object();
    private volatile boolean parked;
    private volatile boolean shutdown;

    /** Starts the thread (a daemon platform thread named {@code name}). */
    SpinningExecutor(String name, long spinNanos) {
        if (spinNanos < 0) {
            throw new IllegalArgumentException("spin of " + spinNanos + " ns is negative");
        }
        this.spinNanos = spinNanos;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
        thread.start();
    }

    private void run() {
        try {
            long idleSince = System.nanoTime();
            while (true) {
                Runnable task = queue.poll();
                if (task != null) {
                    runTask(task);
                    idleSince = System.nanoTime();
                } else if (shutdown) {
                    if (queue.isEmpty()) {
                        return;
                    }
                } else if (System.nanoTime() - idleSince < spinNanos) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    // Re-check after publishing 'parked': a producer that offered before it saw
                    // 'parked' is caught here, one that offered after will unpark us.
                    if (queue.isEmpty() && !shutdown) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        } finally {
            terminated.countDown();
        }
    }

    private void runTask(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            Thread.UncaughtExceptionHandler handler = thread.getUncaughtExceptionHandler();
            if (handler != null) {
                handler.uncaughtException(thread, t);
            }
        }
    }

    @Override
    public void execute(Runnable task) {
        synchronized (accepting) {
            if (shutdown) {
                throw new RejectedExecutionException("the executor " + thread.getName() + " is shut down");
            }
            queue.offer(task);
        }
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** Runs the tasks already queued, then stops; takes no new ones. */
    @Override
    public void shutdown() {
        synchronized (accepting) {
            shutdown = true;
        }
        LockSupport.unpark(thread);
    }

    @Override
    public List<Runnable> shutdownNow() {
        synchronized (accepting) {
            shutdown = true;
        }
        List<Runnable> dropped = new java.util.ArrayList<>();
        for (Runnable task; (task = queue.poll()) != null; ) {
            dropped.add(task);
        }
        LockSupport.unpark(thread);
        return dropped;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }
}
