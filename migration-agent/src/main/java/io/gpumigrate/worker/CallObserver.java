package io.gpumigrate.worker;

import io.gpumigrate.protocol.Frame;

/**
 * Sees every call a {@link Session} applies: the replay-log recorder and the offline replayer
 * hang off here. Calls refused as already applied are not seen.
 *
 * <p>All methods run on the session's executor thread, in call order, and must not block on
 * disk or network (except {@link #sessionEnded}).
 */
public interface CallObserver {

    /** Passed as {@code replyStatus} for a call that wants no reply. */
    int NO_REPLY = Integer.MIN_VALUE;

    /** Observes nothing. */
    CallObserver NONE = new CallObserver() {
    };

    /**
     * Before the call runs. The frame and its body are borrowed: {@code retain} (or
     * {@code retainedDuplicate}) what must outlive this method; the body's reader index is
     * its first byte and must not be moved.
     */
    default void before(Frame call) {
    }

    /**
     * After the call ran.
     *
     * @param result      the call's own {@code CUresult} (0 when it succeeded, the sticky error
     *                    when it was refused because of one)
     * @param message     the failure's message, or {@code null} on success
     * @param replyStatus the status its reply carries (which may be an earlier deferred error),
     *                    or {@link #NO_REPLY}
     */
    default void after(Frame call, int result, String message, int replyStatus) {
    }

    /**
     * For a call that succeeded and wanted a reply, before {@link #after}: the reply's results
     * (what follows its status), borrowed; the reader index must not be moved.
     */
    default void results(Frame call, io.netty.buffer.ByteBuf results) {
    }

    /** Once, after the session released its device: flush and close what was opened. May block. */
    default void sessionEnded() {
    }
}
