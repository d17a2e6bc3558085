package io.gpumigrate.replay.write;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Bytes handed to the writer thread and not yet written, against the writer's budget; lets an
 * append wait for the writer thread to make room. Thread-safe: the appender hands blocks off
 * and waits, the writer thread reports blocks written.
 */
final class Backlog {

    private final long maxBytes;
    private final AtomicLong handedOff = new AtomicLong();
    private final Object room = new Object();
    private volatile int waiters;

    Backlog(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Bytes handed off and not yet written. */
    long handedOff() {
        return handedOff.get();
    }

    /** Counts a block handed to the writer thread. */
    void handedOff(long bytes) {
        handedOff.addAndGet(bytes);
    }

    /** Called by the writer thread once a block is written (or dropped); wakes waiting appends. */
    void written(long bytes) {
        handedOff.addAndGet(-bytes);
        if (waiters > 0) {
            synchronized (room) {
                room.notifyAll();
            }
        }
    }

    /** Whether {@code cost} more bytes fit beside {@code open} bytes not yet handed off; always when nothing is pending. */
    boolean fits(long cost, long open) {
        long pending = handedOff.get() + open;
        return pending == 0 || pending + cost <= maxBytes;
    }

    /**
     * Waits until {@code cost} bytes fit (with nothing open), {@code deadline} (a
     * {@link System#nanoTime()} value) passes, {@code failed} says the writer failed, or the
     * thread is interrupted (its interrupt flag is then set again).
     *
     * @return whether the bytes fit
     */
    boolean awaitRoom(long cost, long deadline, BooleanSupplier failed) {
        synchronized (room) {
            waiters++;
            try {
                while (!fits(cost, 0) && !failed.getAsBoolean()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    room.wait(left / 1_000_000, (int) (left % 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                waiters--;
            }
        }
        return fits(cost, 0);
    }
}
