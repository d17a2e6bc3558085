package io.gpumigrate.worker;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;

/**
 * How a worker's event loop waits for its socket: while it saw work (a ready socket or a
 * queued task) within the last {@code spinNanos} it polls without blocking, so neither the
 * client's next call nor a reply handed over by the session's thread has to wake it (a wakeup
 * of a thread blocked in {@code epoll_wait} costs several microseconds, tens on a virtual
 * machine); after a quiet spell it blocks as usual. A reply written from the session's thread
 * while the loop polls costs no system call either: Netty wakes only a blocked loop.
 *
 * <p>One instance per event loop; called on that loop only.
 */
final class BusyPollSelectStrategy implements SelectStrategy {

    private final long spinNanos;
    private long lastWork = System.nanoTime();

    BusyPollSelectStrategy(long spinNanos) {
        if (spinNanos < 0) {
            throw new IllegalArgumentException("spin of " + spinNanos + " ns is negative");
        }
        this.spinNanos = spinNanos;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        long now = System.nanoTime();
        if (hasTasks) {
            lastWork = now;
            return selectNow.get();
        }
        if (now - lastWork < spinNanos) {
            int ready = selectNow.get();
            if (ready > 0) {
                lastWork = now;
            } else {
                Thread.onSpinWait();
            }
            return ready; // 0: the loop runs its (no) tasks and asks again
        }
        return SELECT;
    }
}
