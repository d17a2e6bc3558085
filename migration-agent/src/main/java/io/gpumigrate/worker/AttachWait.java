package io.gpumigrate.worker;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * How long a worker waits for its client to attach before it ends the session. A migration's
 * target or a restore suspends the wait while the session's state arrives, and restarts it,
 * the full time, once the session is there. Thread-safe.
 */
public final class AttachWait {

    private final BooleanSupplier attached;
    private volatile long nanos = TimeUnit.SECONDS.toNanos(60);
    private volatile long deadline = System.nanoTime() + nanos;
    private volatile boolean suspended;

    AttachWait(BooleanSupplier attached) {
        this.attached = attached;
    }

    /** Starts the wait: {@link #expired} turns true {@code nanos} from now unless a client attaches. */
    public void start(long nanos) {
        this.nanos = nanos;
        deadline = System.nanoTime() + nanos;
    }

    public void suspend() {
        suspended = true;
    }

    /** Waits again, the full time, from now. */
    public void restart() {
        deadline = System.nanoTime() + nanos;
        suspended = false;
    }

    /**
     * Whether the session's state is still arriving (suspended: a restore or a migration's
     * target before its commit): a client may not attach yet, or it would run on a session
     * that is not there.
     */
    public boolean arriving() {
        return suspended;
    }

    /** Whether no client attached in time and the wait is not suspended. */
    public boolean expired() {
        return !attached.getAsBoolean() && !suspended && System.nanoTime() - deadline > 0;
    }
}
