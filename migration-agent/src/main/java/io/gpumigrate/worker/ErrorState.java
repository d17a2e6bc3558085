package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;

/**
 * A session's deferred and sticky errors (docs/wire-protocol.md, "Errors and deferred errors").
 *
 * <p>A call that fails without a reply to carry its error records it as the deferred error;
 * only the first is kept until a SYNC reply carries and clears it. A sticky error (the
 * context is unusable, as after {@code CUDA_ERROR_ILLEGAL_ADDRESS}) is kept for the rest of
 * the session and carried by every later reply.
 *
 * <p>Not thread-safe: session executor only.
 */
final class ErrorState {

    /** A failure: its {@code CUresult} and message. */
    record Failure(int status, String message) {
    }

    private Failure deferred;
    private Failure sticky;

    /** Records a failure that no reply carried. Keeps the first; a sticky one also becomes sticky. */
    void defer(Failure failure) {
        if (deferred == null) {
            deferred = failure;
        }
        noteSticky(failure);
    }

    /** Makes {@code failure} the session's sticky error if CUDA treats it as sticky and none is set yet. */
    void noteSticky(Failure failure) {
        if (sticky == null && CuResult.isSticky(failure.status())) {
            sticky = failure;
        }
    }

    /** The pending deferred error, cleared; {@code null} when none. */
    Failure takeDeferred() {
        Failure f = deferred;
        deferred = null;
        return f;
    }

    /** The sticky error, or {@code null}. */
    Failure sticky() {
        return sticky;
    }

    /** The pending deferred error without clearing it, or {@code null}; for a session's export. */
    Failure peekDeferred() {
        return deferred;
    }

    /** Sets both errors as an exported session had them (either may be {@code null}). */
    void restore(Failure deferred, Failure sticky) {
        this.deferred = deferred;
        this.sticky = sticky;
    }
}
