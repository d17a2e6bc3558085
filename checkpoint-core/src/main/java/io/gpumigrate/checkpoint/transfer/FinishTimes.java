package io.gpumigrate.checkpoint.transfer;

/**
 * Where the source's {@link MigrationSender#finish} spent the pause, in nanoseconds: hashing the
 * chunks on the device; reading, encoding and writing the chunks that changed (of which the
 * sender's thread spent {@code readNanos} reading chunks from the device and {@code waitNanos}
 * waiting for a free buffer, that is for the encoders, the connections or the target); and
 * waiting for the target to verify the image (the state's encoding included).
 */
public record FinishTimes(long digestNanos, long copyNanos, long readNanos, long waitNanos, long verifyNanos) {

    /** For the log: "digests D ms, copy C ms (reads R ms, waits W ms), verify V ms", one decimal. */
    @Override
    public String toString() {
        return "digests " + millis(digestNanos) + " ms, copy " + millis(copyNanos) + " ms (reads " + millis(readNanos)
                + " ms, waits " + millis(waitNanos) + " ms), verify " + millis(verifyNanos) + " ms";
    }

    /** Tenths of a millisecond without java.util.Formatter, whose first use loads locale data. */
    public static String millis(long nanos) {
        long tenths = Math.round(nanos / 1e5);
        return (tenths / 10) + "." + (tenths % 10);
    }
}
