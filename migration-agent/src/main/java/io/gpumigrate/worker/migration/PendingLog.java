package io.gpumigrate.worker.migration;

import io.gpumigrate.protocol.Frame;
import io.gpumigrate.worker.CallObserver;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stands in for a session's replay log while it is being reopened after a migration or a
 * restore: the first call waits (at most {@code maxWaitMillis}) until the log is open, so
 * that no call goes unlogged, then every call goes to it. Normally the log is open long before
 * the first call; it is not when the source still holds the log directory both share, until
 * it lets go at the commit. If the log never opens, calls go unlogged.
 *
 * <p>Not thread-safe beyond what {@link CallObserver} promises: the session's executor only
 * ({@link #sessionEnded} from any).
 */
final class PendingLog implements CallObserver {

    private static final Logger log = LoggerFactory.getLogger(PendingLog.class);

    private final CompletableFuture<CallObserver> opened;
    private final long maxWaitMillis;
    private CallObserver target;

    PendingLog(CompletableFuture<CallObserver> opened, long maxWaitMillis) {
        this.opened = opened;
        this.maxWaitMillis = maxWaitMillis;
    }

    private CallObserver target() {
        if (target == null) {
            try {
                target = opened.get(maxWaitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                target = CallObserver.NONE;
            } catch (ExecutionException | TimeoutException e) {
                log.warn("the replay log did not open within {} ms; calls go unlogged: {}", maxWaitMillis, e.toString());
                target = CallObserver.NONE;
            }
        }
        return target;
    }

    @Override
    public void before(Frame call) {
        target().before(call);
    }

    @Override
    public void results(Frame call, ByteBuf results) {
        target().results(call, results);
    }

    @Override
    public void after(Frame call, int result, String message, int replyStatus) {
        target().after(call, result, message, replyStatus);
    }

    @Override
    public void sessionEnded() {
        // a log that opens after the session ended is closed as soon as it does
        opened.thenAccept(CallObserver::sessionEnded);
    }
}
