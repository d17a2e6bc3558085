package io.gpumigrate.worker.replay;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.worker.OfflineSession;

/**
 * One logged call and what replaying it did. Immutable.
 *
 * @param call    the call as it was recorded
 * @param outcome what the replay's session did with it
 */
public record ReplayedCall(LoggedCall call, OfflineSession.Outcome outcome) {

    /** Whether the call failed in the replay (its own result, not a deferred one). */
    public boolean failed() {
        return outcome.result() != CuResult.SUCCESS;
    }

    /** Whether the recording has a status for this call and the replay's reply carried another. */
    public boolean diverged() {
        return call.status().isPresent() && outcome.replied() && call.status().getAsInt() != outcome.replyStatus();
    }

    /** {@code recorded 0 CUDA_SUCCESS, replayed 700 CUDA_ERROR_ILLEGAL_ADDRESS}, for divergence reports. */
    public String statusComparison() {
        return "recorded " + statusName(call.status().orElse(CuResult.SUCCESS)) + ", replayed "
                + statusName(outcome.replyStatus());
    }

    static String statusName(int status) {
        return status + " " + CuResult.name(status);
    }
}
