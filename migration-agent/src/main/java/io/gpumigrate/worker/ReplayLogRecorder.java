package io.gpumigrate.worker;

import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.netty.buffer.ByteBuf;
import io.gpumigrate.replay.write.LogWriter;
import io.gpumigrate.replay.write.LogWriterConfig;
import io.gpumigrate.replay.write.WriterStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Records a session's calls to its replay log: each call is appended before it runs (so a
 * worker that dies inside a call still leaves it in the log), and a replied call's status is
 * appended after it ran. Copies through shared memory are logged as the plain copies they
 * stand for ({@link SharedMemoryRecording}); an upload through it is appended once it has run,
 * because its bytes are copied out of the window while the call runs, not before (a worker
 * that dies inside such a call leaves it out of the log). Bodies are copied into the log's
 * block as they are appended (no reference kept), except upload payloads. Appending never does
 * disk I/O on the session thread (see {@link LogWriter}); a failing or lagging log never fails a
 * call, it only leaves gaps.
 *
 * <p>Not thread-safe beyond what {@link CallObserver} promises: the session's executor only.
 */
public final class ReplayLogRecorder implements CallObserver {

    private static final Logger log = LoggerFactory.getLogger(ReplayLogRecorder.class);

    private final LogWriter writer;
    private final SharedMemoryRecording sharedMemory = new SharedMemoryRecording();
    private boolean broken;
    /** Whether the call in flight was not appended (its status must not be either). */
    private boolean skipped;
    /** The shared-memory upload of the call in progress, its bytes being copied; null when none. */
    private UploadInFlight upload;

    private ReplayLogRecorder(LogWriter writer) {
        this.writer = writer;
    }

    /**
     * Opens (or, for a resumed session, continues) the log in {@code dir}.
     *
     * @throws IOException when the log cannot be opened: another writer holds it, or it is damaged
     */
    public static ReplayLogRecorder open(Path dir, long sessionId) throws IOException {
        return new ReplayLogRecorder(LogWriter.open(dir, sessionId, LogWriterConfig.defaults()));
    }

    public Path directory() {
        return writer.directory();
    }

    public WriterStats stats() {
        return writer.stats();
    }

    @Override
    public void before(Frame call) {
        if (upload != null) {
            appendUpload(); // after() missed it: the call did not return normally
        }
        skipped = true;
        if (broken) {
            return;
        }
        try {
            Op op = call.op();
            if (op == Op.MEMCPY_HTOD_SHM) {
                // logged in after(), once its bytes are copied: the copy runs beside the call
                SharedMemoryRecording.Upload started = sharedMemory.startUpload(call.body());
                if (started != null) {
                    upload = new UploadInFlight(call.seq(), call.flags(), started);
                }
                return;
            }
            if (SharedMemoryRecording.handles(op)) {
                SharedMemoryRecording.Translated t = sharedMemory.translate(op, call.body());
                if (t == null) {
                    return;
                }
                writer.append(call.seq(), t.op().code(), call.flags(), t.body(), false, 0);
            } else if (op == Op.MEMCPY_HTOD) {
                writer.append(call.seq(), call.opCode(), call.flags(), call.body().retainedDuplicate(), false, 0);
            } else {
                writer.appendBorrowed(call.seq(), call.opCode(), call.flags(), call.body());
            }
            skipped = false;
        } catch (IllegalArgumentException e) {
            notAppended(call.seq(), e);
        } catch (IllegalStateException e) {
            stop(call.seq(), e);
        }
    }

    /** A shared-memory upload whose bytes are being copied while the call runs. */
    private record UploadInFlight(long seq, int flags, SharedMemoryRecording.Upload upload) {
    }

    /** Waits for the upload in flight to be copied and appends it (a MEMCPY_HTOD); clears {@code skipped} if logged. */
    private void appendUpload() {
        long seq = upload.seq();
        int flags = upload.flags();
        SharedMemoryRecording.Translated t = upload.upload().finish();
        upload = null;
        if (broken) {
            t.body().release();
            return;
        }
        try {
            writer.append(seq, t.op().code(), flags, t.body(), false, 0);
            skipped = false;
        } catch (IllegalArgumentException e) {
            notAppended(seq, e);
        } catch (IllegalStateException e) {
            stop(seq, e);
        }
    }

    private void notAppended(long seq, IllegalArgumentException e) {
        // A call the continued log already holds (a resumed session): it is there once.
        log.debug("replay log {}: seq {} not appended: {}", writer.directory(), seq, e.getMessage());
    }

    private void stop(long seq, IllegalStateException e) {
        broken = true;
        log.warn("replay log {}: stops recording at seq {}: {}", writer.directory(), Long.toUnsignedString(seq),
                e.getMessage());
    }

    /**
     * Logs where allocations were placed and the address each module global was given to the
     * client, so that a replay on another backend places allocations there too and shows the
     * globals at the same addresses.
     */
    @Override
    public void results(Frame call, ByteBuf results) {
        Op op = call.op();
        if (!broken && !skipped && (op == Op.MEM_ALLOC || op == Op.MEM_ALLOC_PITCH || op == Op.MODULE_GET_GLOBAL)) {
            try {
                writer.appendResult(call.seq(), results);
            } catch (IllegalStateException e) {
                broken = true;
            }
        }
    }

    @Override
    public void after(Frame call, int result, String message, int replyStatus) {
        if (upload != null && upload.seq() == call.seq()) {
            appendUpload();
        }
        if (!broken && !skipped && replyStatus != NO_REPLY) {
            try {
                writer.appendStatus(call.seq(), replyStatus);
            } catch (IllegalStateException e) {
                broken = true;
            }
        }
    }

    /**
     * Blocks until every call appended so far is written and synced: before a migration commits,
     * so that the log the target continues is complete. Any thread.
     */
    public void flush() throws IOException {
        writer.flush();
    }

    /**
     * Blocks until every call appended so far is in the log's files, not waiting for stable
     * storage: for a migration's pause, which ships the files' bytes and must not wait on a
     * disk. Any thread.
     */
    public void flushToFiles() throws IOException {
        writer.flushToFiles();
    }

    /**
     * Writes what was appended and closes the log without ending the recording of shared
     * memory: for a session whose log moves elsewhere (a migration's commit, a target that
     * reopens its log once the files it was sent are in place). Calls seen afterwards are not
     * logged. Idempotent. Any thread.
     */
    public void closeLog() throws IOException {
        writer.close();
    }

    /** The last sequence number in the log (appended, or found when it was opened). Any thread. */
    public long lastSeq() {
        return writer.lastSeq();
    }

    /**
     * Marks calls {@code firstSeq .. lastSeq} as missing from this log (a gap entry), for calls
     * that were applied elsewhere and whose log did not come along.
     */
    public void noteMissing(long firstSeq, long lastSeq) {
        writer.appendGap(firstSeq, lastSeq, lastSeq - firstSeq + 1);
    }

    /** Flushes and closes the log; blocks until it is written. */
    @Override
    public void sessionEnded() {
        if (upload != null) {
            appendUpload();
        }
        sharedMemory.close();
        try {
            writer.close();
            WriterStats s = writer.stats();
            log.info("replay log {}: closed ({})", writer.directory(), s);
        } catch (IOException e) {
            log.warn("replay log {}: closing failed: {}", writer.directory(), e.toString());
        }
    }
}
