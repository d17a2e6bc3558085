package io.gpumigrate.worker.replay;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.emulator.EmulatorBackend;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.SessionLog;

import java.io.IOException;

/**
 * Replays a log on the emulator, whose every device access is bounds-checked, and finds the
 * first bad access: the first call that failed with {@code CUDA_ERROR_ILLEGAL_ADDRESS} or
 * {@code CUDA_ERROR_MISALIGNED_ADDRESS}. The emulator runs each kernel on one thread, so the
 * first faulting thread is the same on every run. Stateless.
 */
public final class MemoryCheck {

    /**
     * The first bad access, or the lack of one.
     *
     * @param call    the call that made it, as recorded ({@code null} when none)
     * @param status  its {@code CUresult}
     * @param detail  the emulator's account: kernel, block, thread, PTX line and address
     * @param calls   the calls replayed
     */
    public record Finding(LoggedCall call, int status, String detail, long calls) {

        public boolean found() {
            return call != null;
        }
    }

    private MemoryCheck() {
    }

    /** Replays {@code log} up to {@code until} and stops at the first bad access. */
    public static Finding run(SessionLog log, long until) throws IOException, ReplayException {
        try (LogReplayer replayer = new LogReplayer(log, new EmulatorBackend(EmulatorBackend.DEFAULT_TOTAL_MEMORY, 1),
                until)) {
            for (ReplayedCall c = replayer.next(); c != null; c = replayer.next()) {
                int status = c.outcome().result();
                if (status == CuResult.ILLEGAL_ADDRESS || status == CuResult.MISALIGNED_ADDRESS) {
                    return new Finding(c.call(), status, c.outcome().message(), replayer.calls());
                }
            }
            return new Finding(null, CuResult.SUCCESS, null, replayer.calls());
        }
    }
}
