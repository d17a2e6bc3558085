package io.gpumigrate.worker.migration;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

/**
 * The bits of {@code MIGRATE}'s optional trailing {@code u8 flags}, in the CLI's call to an
 * agent and in the agent's call to the source worker (docs/migration-protocol.md). Absent
 * means 0: pre-copy as usual.
 */
public final class MigrationFlags {

    /** Skip pre-copy: pause at once and send all memory in the final copy (stop-and-copy). */
    public static final int NO_PRECOPY = 1;

    private static final int KNOWN = NO_PRECOPY;

    private MigrationFlags() {
    }

    /** Returns {@code flags} when it holds only known bits, else {@code CUDA_ERROR_INVALID_VALUE} naming them. */
    public static int check(int flags) throws CudaException {
        if ((flags & ~KNOWN) != 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "migration flags 0x" + Integer.toHexString(flags)
                    + " hold unknown bits; known: 0x" + Integer.toHexString(KNOWN) + " (no pre-copy)");
        }
        return flags;
    }

    public static boolean precopy(int flags) {
        return (flags & NO_PRECOPY) == 0;
    }
}
