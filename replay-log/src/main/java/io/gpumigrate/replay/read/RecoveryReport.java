package io.gpumigrate.replay.read;

import java.nio.file.Path;

/**
 * What opening a log did to its tail. A torn tail (the last block of the last segment cut
 * short, or its CRC wrong with nothing after it, as a crash mid-write leaves it) is truncated at
 * the end of the last valid block; that is never an error.
 *
 * @param segment      the segment that was checked, or {@code null} for a log without segments
 * @param validBytes   bytes of that segment that were kept
 * @param droppedBytes bytes cut off its end (0 when the tail was intact); a segment with no
 *                     valid block left is deleted and counts whole
 * @param reason       why the bytes were dropped, or "" when none were
 * @param skipped      true when the log was being written, so its tail was not checked or changed
 */
public record RecoveryReport(Path segment, long validBytes, long droppedBytes, String reason, boolean skipped) {

    static RecoveryReport intact(Path segment, long size) {
        return new RecoveryReport(segment, size, 0, "", false);
    }

    static RecoveryReport empty() {
        return new RecoveryReport(null, 0, 0, "", false);
    }

    static RecoveryReport skippedWhileWritten() {
        return new RecoveryReport(null, 0, 0, "", true);
    }

    /** Whether bytes were dropped. */
    public boolean truncated() {
        return droppedBytes > 0;
    }

    @Override
    public String toString() {
        if (skipped) {
            return "log is being written; its tail was not checked";
        }
        if (!truncated()) {
            return segment == null ? "empty log" : "tail intact (" + segment.getFileName() + ", " + validBytes + " bytes)";
        }
        if (validBytes == 0) {
            return "torn tail: deleted " + segment.getFileName() + ", dropped " + droppedBytes + " bytes (" + reason + ")";
        }
        return "torn tail: truncated " + segment.getFileName() + " at offset " + validBytes + ", dropped "
                + droppedBytes + " bytes (" + reason + ")";
    }
}
