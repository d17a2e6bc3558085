package io.gpumigrate.worker.migration;

import io.gpumigrate.checkpoint.CheckpointManifest;
import io.gpumigrate.checkpoint.FileTrees;
import io.gpumigrate.checkpoint.ImageLog;
import io.gpumigrate.checkpoint.transfer.LogOutcome;
import io.gpumigrate.checkpoint.transfer.LogReceiver;
import io.gpumigrate.checkpoint.transfer.LogShipper;
import io.gpumigrate.checkpoint.transfer.TransferMessage;
import io.gpumigrate.worker.CallObserver;
import io.gpumigrate.worker.ReplayLogRecorder;
import io.gpumigrate.worker.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Brings a session's replay log to the worker that takes the session over (a migration's
 * target, or a worker restoring a checkpoint image) and continues it there:
 * <ol>
 * <li>the files arrive under a staging directory inside the session's log directory
 *     ({@code .incoming-UUID}, which readers and writers ignore);</li>
 * <li>the log this worker opened when it started (empty: it never applied a call) is closed
 *     as soon as the transfer is expected;</li>
 * <li>at the commit, the session's calls are held ({@link PendingLog}) and, off the commit's
 *     path, the files are moved into place (segments are named by their first sequence number,
 *     so the segment this worker's writer starts next sorts after them) and the log is
 *     reopened, recovered and continued, which lets the calls go on;</li>
 * <li>when the log did not arrive whole, the calls it would have held are marked as a gap
 *     ({@code LogGap}) before the first call logged here, and a warning is logged; the session
 *     goes on all the same.</li>
 * </ol>
 * A source that uses the very same directory (two agents sharing a data directory) ships
 * nothing that is kept: the log is already in place, and is reopened once the source lets go of
 * it at the commit ({@link PendingLog} holds the first call until then).
 *
 * <p>Thread-safe: its methods run on the operation's own threads, never on the session's executor.
 */
final class LogHandover {

    private static final Logger log = LoggerFactory.getLogger(LogHandover.class);
    /** How long reopening waits for a source sharing the directory to let go of it. */
    static final long LOCK_WAIT_MILLIS = 30_000;
    private static final long LOCK_RETRY_MILLIS = 5;

    private final Session session;
    private final Path dir;
    private final Path staging;

    LogHandover(Session session) {
        this.session = session;
        this.dir = session.logDirectory();
        this.staging = dir == null ? null : dir.resolve(".incoming-" + UUID.randomUUID());
    }

    /**
     * Tells a migration's receiver where to stage the log (nothing when this worker keeps no
     * log), and closes the empty log this worker opened when it started: closing syncs its
     * files, which is better done now than at the commit, inside the session's pause.
     */
    void expect(LogReceiver receiver) {
        if (dir == null) {
            return;
        }
        closeEmptyLog();
        try {
            FileTrees.createPrivateDirectory(dir);
            receiver.expect(staging, LogShipper.directoryKey(dir));
        } catch (IOException e) {
            log.warn("session {}: cannot receive its replay log in {}: {}", session.id(), dir, e.toString());
        }
    }

    /**
     * At a migration's commit: holds the session's calls at once, then, on a thread of its own,
     * puts what arrived in place and continues the log, which lets the calls go on. The commit
     * does not wait for the files (that cost the session's pause tens of ms): the client's first
     * call waits for them instead, if it comes before they are in place. Never throws.
     */
    void arrived(LogOutcome outcome, long lastApplied) {
        if (dir == null) {
            return;
        }
        CompletableFuture<CallObserver> opened = holdCalls();
        Thread.ofVirtual().name("log-handover-" + session.id()).start(() -> {
            switch (outcome.status()) {
                case COMPLETE -> {
                    List<String> names = outcome.files().stream().map(TransferMessage.LogFile::name).toList();
                    continueLog(lastApplied, place(names), outcome.bytes(), opened);
                }
                case SAME_DIRECTORY -> continueLog(lastApplied, null, 0, opened);
                case NONE, INCOMPLETE -> continueLog(lastApplied, "the replay log did not arrive whole: "
                        + outcome.problem(), 0, opened);
            }
        });
    }

    /** After a restore from the checkpoint image {@code image}: copies its log in place and continues it. Never throws. */
    void restored(Path image, long lastApplied) {
        if (dir == null) {
            return;
        }
        CompletableFuture<CallObserver> opened = holdCalls();
        String missing;
        long bytes = 0;
        try {
            CheckpointManifest manifest = CheckpointManifest.read(image);
            List<CheckpointManifest.FileEntry> files = ImageLog.verified(image, manifest);
            if (files.isEmpty()) {
                missing = "the image " + image + " carries no replay log";
            } else {
                ImageLog.copyOut(image, files, staging);
                bytes = files.stream().mapToLong(CheckpointManifest.FileEntry::size).sum();
                missing = place(files.stream().map(CheckpointManifest.FileEntry::name).toList());
            }
        } catch (IOException | RuntimeException e) {
            missing = "the image's replay log cannot be used: " + e.getMessage();
        }
        String why = missing;
        long brought = bytes;
        Thread.ofVirtual().name("log-reopen-" + session.id()).start(() -> continueLog(lastApplied, why, brought, opened));
    }

    /** Removes what was staged, for a session that never arrived. */
    void discard() {
        deleteTree(staging);
    }

    /** Moves the staged files into the log directory (its empty log closed already); returns why it failed, or null. */
    private String place(List<String> names) {
        try {
            for (String name : names) {
                Path to = dir.resolve(name);
                Files.createDirectories(to.getParent());
                Files.move(staging.resolve(name), to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "placing the replay log's files in " + dir + " failed: " + e;
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * Makes the session's calls wait for the log that {@link #continueLog} reopens (at most
     * {@link #LOCK_WAIT_MILLIS} and a margin), so that none goes unlogged meanwhile.
     */
    private CompletableFuture<CallObserver> holdCalls() {
        closeEmptyLog();
        CompletableFuture<CallObserver> opened = new CompletableFuture<>();
        session.observe(new PendingLog(opened, LOCK_WAIT_MILLIS + 5_000));
        return opened;
    }

    /**
     * Reopens the log (waiting for a source that shares the directory to let go of it), makes it
     * the session's and completes {@code opened} with it. With {@code missing}, calls up to
     * {@code lastApplied} not in the log are marked as a gap. Blocking; never throws.
     */
    private void continueLog(long lastApplied, String missing, long bytes, CompletableFuture<CallObserver> opened) {
        try {
            ReplayLogRecorder recorder = open();
            long last = recorder.lastSeq();
            if (missing != null) {
                log.warn("session {}: {}; calls {} to {} are marked as a gap in {}", session.id(), missing, last + 1,
                        lastApplied, dir);
                if (lastApplied > last) {
                    recorder.noteMissing(last + 1, lastApplied);
                }
            } else {
                log.info("session {}: replay log continued in {} ({} bytes brought, last seq {}, session at {})",
                        session.id(), dir, bytes, last, lastApplied);
            }
            session.observe(recorder);
            opened.complete(recorder);
        } catch (IOException | RuntimeException e) {
            log.warn("session {}: runs on without a replay log: {}", session.id(), e.getMessage());
            opened.complete(CallObserver.NONE);
        }
    }

    /** Closes the log this worker opened at its start (it holds no call); again is a no-op. */
    private void closeEmptyLog() {
        if (session.observer() instanceof ReplayLogRecorder current) {
            try {
                current.closeLog();
            } catch (IOException e) {
                log.warn("session {}: closing its empty replay log failed: {}", session.id(), e.toString());
            }
        }
    }

    private ReplayLogRecorder open() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOCK_WAIT_MILLIS);
        while (true) {
            try {
                return ReplayLogRecorder.open(dir, session.id());
            } catch (IOException e) {
                // another writer: the source sharing this directory, until its commit closes the log
                if (!io.gpumigrate.replay.format.WriterLock.isHeld(dir) || System.nanoTime() > deadline) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(LOCK_RETRY_MILLIS));
            }
        }
    }

    private static void deleteTree(Path root) {
        try {
            FileTrees.delete(root);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", root, e.toString());
        }
    }
}
