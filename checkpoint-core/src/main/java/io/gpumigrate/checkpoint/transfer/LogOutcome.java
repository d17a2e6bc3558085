package io.gpumigrate.checkpoint.transfer;

import java.nio.file.Path;
import java.util.List;

/**
 * What a migration target received of the session's replay log ({@link LogReceiver#outcome()}).
 *
 * @param status   what happened
 * @param staging  where the files are (for {@link Status#COMPLETE}), each under its relative name
 * @param files    the files, with their lengths and hashes, for {@link Status#COMPLETE}; else empty
 * @param bytes    file bytes received
 * @param problem  why the log is missing or incomplete; null for COMPLETE and SAME_DIRECTORY
 */
public record LogOutcome(Status status, Path staging, List<TransferMessage.LogFile> files, long bytes, String problem) {

    public enum Status {
        /** The source sent no log (it keeps none, or predates protocol 2.1). */
        NONE,
        /** Source and target use the same log directory: the log is already where it belongs. */
        SAME_DIRECTORY,
        /** Every file arrived whole and matches its hash. */
        COMPLETE,
        /** Something is missing or damaged ({@link #problem()}); nothing staged should be used. */
        INCOMPLETE
    }

    public LogOutcome {
        files = List.copyOf(files);
    }
}
