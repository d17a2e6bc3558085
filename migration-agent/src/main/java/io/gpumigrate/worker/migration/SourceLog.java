package io.gpumigrate.worker.migration;

import io.gpumigrate.checkpoint.ImageLog;
import io.gpumigrate.checkpoint.transfer.LogShipper;
import io.gpumigrate.checkpoint.transfer.MigrationSender;
import io.gpumigrate.replay.read.LogFiles;
import io.gpumigrate.worker.ReplayLogRecorder;
import io.gpumigrate.worker.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The source's side of taking a session's replay log along: shipped with a migration
 * ({@link LogShipper}: what is there during pre-copy, only what changed in the pause), or
 * copied into a checkpoint image. Best-effort: a log that cannot be read or sent is reported
 * (a warning here; the target marks the hole in its log) and the migration or dump goes on.
 * The source's own copy stays in its data directory, where retention removes it in time.
 *
 * <p>Not thread-safe: the migration's thread drives it.
 */
final class SourceLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SourceLog.class);

    private final Session session;
    private final ReplayLogRecorder recorder;
    private LogShipper shipper;

    SourceLog(Session session) {
        this.session = session;
        this.recorder = session.observer() instanceof ReplayLogRecorder r ? r : null;
        this.shipper = recorder == null ? null : new LogShipper(recorder.directory(), LogFiles::list);
    }

    /** While the session runs: sends every byte of the log not sent yet. */
    void shipChanges(MigrationSender sender) {
        ship(sender, false);
    }

    /** In the pause: flushes the log's writer, sends what it added, then the list of every file. */
    void shipFinal(MigrationSender sender) {
        if (shipper == null) {
            return;
        }
        try {
            recorder.flushToFiles(); // the bytes are read back from the files; no fsync in the pause
        } catch (IOException | RuntimeException e) {
            stop("flushing it failed: " + e.getMessage());
            return;
        }
        ship(sender, true);
    }

    private void ship(MigrationSender sender, boolean last) {
        if (shipper == null) {
            return;
        }
        try {
            long bytes = sender.shipLog(shipper, last);
            log.debug("session {}: shipped {} bytes of its replay log{}", session.id(), bytes, last ? " (final)" : "");
        } catch (IOException | RuntimeException e) {
            stop(e.getMessage());
        }
    }

    private void stop(String reason) {
        log.warn("session {}: its replay log {} does not go along with the migration: {}", session.id(),
                recorder.directory(), reason);
        shipper.close();
        shipper = null;
    }

    /** Bytes of the log sent so far. */
    long bytesShipped() {
        return shipper == null ? 0 : shipper.bytesSent();
    }

    /**
     * At the commit: closes the log here, so that a target sharing its directory can continue
     * it. Calls are no longer applied here.
     */
    void release() {
        if (recorder != null) {
            try {
                recorder.closeLog();
            } catch (IOException e) {
                log.warn("session {}: closing its replay log at the commit failed: {}", session.id(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        if (shipper != null) {
            shipper.close();
        }
    }

    /**
     * The log to copy into a checkpoint image, flushed; null when the session keeps none or it
     * cannot be flushed (with a warning). Call it with the session paused.
     */
    static ImageLog.Source forImage(Session session) {
        if (!(session.observer() instanceof ReplayLogRecorder r)) {
            return null;
        }
        try {
            r.flush();
            return new ImageLog.Source(r.directory(), LogFiles.list(r.directory()));
        } catch (IOException | RuntimeException e) {
            log.warn("session {}: the checkpoint image goes without its replay log: {}", session.id(), e.toString());
            return null;
        }
    }
}
