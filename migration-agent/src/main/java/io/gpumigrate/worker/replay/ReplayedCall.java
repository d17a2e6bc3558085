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

    /**
     * Whether the replay went another way than the recording: the recording has a status for this
     * call and the replay's reply carried another, or it logged the address an allocation or a
     * module global was given and the replay gave another.
     */
    public boolean diverged() {
        return statusDiffers() || addressDiffers();
    }

    private boolean statusDiffers() {
        return call.status().isPresent() && outcome.replied() && call.status().getAsInt() != outcome.replyStatus();
    }

    private boolean addressDiffers() {
        return call.results().length >= 8 && outcome.results().length >= 8 && address(call.results()) != address(outcome.results());
    }

    /** {@code recorded 0 CUDA_SUCCESS, replayed 700 CUDA_ERROR_ILLEGAL_ADDRESS}, for divergence reports. */
    public String statusComparison() {
        if (!statusDiffers() && addressDiffers()) {
            return "recorded address 0x" + Long.toHexString(address(call.results())) + ", replayed 0x"
                    + Long.toHexString(address(outcome.results()));
        }
        return "recorded " + statusName(call.status().orElse(CuResult.SUCCESS)) + ", replayed "
                + statusName(outcome.replyStatus());
    }

    private static long address(byte[] results) {
        return java.nio.ByteBuffer.wrap(results).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    static String statusName(int status) {
        return status + " " + CuResult.name(status);
    }
}
