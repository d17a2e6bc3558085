package io.gpumigrate.replay.write;

import io.gpumigrate.checkpoint.FileTrees;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.blob.BlobStore;
import io.gpumigrate.replay.format.LogFormat;
import io.gpumigrate.replay.format.WriterLock;
import io.gpumigrate.replay.read.RecoveryReport;
import io.gpumigrate.replay.read.Segments;
import io.gpumigrate.replay.read.TailRecovery;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * Appends a session's forwarded calls to its replay log.
 *
 * <p><b>Threads.</b> {@link #append} is called on the session thread (it is thread-safe, but
 * one caller is the intended use) and never does disk I/O: it encodes the call into an
 * in-memory block and, for a MEMCPY_HTOD payload of at least {@code blobMinBytes}, keeps a
 * reference to the caller's buffer instead of copying it. A writer thread compresses full
 * blocks, writes payloads to the blob store and blocks to segments, one block after another;
 * the payloads of a block are hashed, deduplicated and written with helper threads
 * ({@code PayloadWorkers}, up to cores - 1 shared by all writers), those of several queued blocks
 * hashed together (a stream of large uploads hands off a block per payload). A block that stays
 * unfilled for {@code linger} is written all the same. Written blocks are reused, and {@link #appendBorrowed} copies a small body without
 * touching its reference count, so a steady stream of calls allocates nothing; the writer thread
 * polls for blocks of small entries (every {@code WriterLoop.BUSY_POLL} while there is work), and
 * is woken by an append only for payloads, a backlog past a quarter of the budget, or a flush.
 *
 * <p><b>When the writer falls behind.</b> Appended bytes not yet written (payloads included)
 * are bounded by {@code maxPendingBytes}. An append that would exceed it waits up to
 * {@code maxStall} for room, counted in {@link WriterStats#stalls()}; if there is still no room,
 * the writer turns <em>degraded</em>: it drops calls, without waiting, until the backlog is
 * down to half the budget, and then writes a {@code LogGap} entry naming the dropped sequence
 * numbers before the next call. A warning is logged when it degrades and when it recovers.
 * Calls are never lost silently: each dropped call is in a gap and in
 * {@link WriterStats#callsDropped()}. If writing fails (disk full, I/O error), calls are counted
 * as dropped from then on, and {@link #flush()} and {@link #close()} throw the failure.
 *
 * <p><b>Durability.</b> {@link #flush()} and {@link #close()} block until everything appended
 * before them is written, and synced per {@link FsyncPolicy}; call them off the hot path (at
 * GOODBYE, before a migration's commit). The log directory is locked while the writer is open.
 *
 * <p>The appending side, from the open block to the hand-off and the budget, is
 * {@link BlockAssembler}; the writer thread is {@link WriterLoop}.
 */
public final class LogWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    /** The most bytes of a reply's results that are logged (allocations need 8 or 16). */
    public static final int MAX_RESULT_BYTES = 4096;

    private final Path dir;
    private final WriterLock lock;
    private final RecoveryReport recovery;
    private final BlockPersister persister;
    private final WriterLoop loop;
    private final Thread thread;
    private final Backlog backlog;
    private final BlockAssembler blocks;

    private LogWriter(Path dir, LogWriterConfig config, WriterLock lock, TailRecovery.Result recovered,
                      BlockPersister persister, long sessionId) {
        this.dir = dir;
        this.lock = lock;
        this.recovery = recovered.report();
        this.persister = persister;
        this.backlog = new Backlog(config.maxPendingBytes());
        this.loop = new WriterLoop(this, persister, config);
        this.blocks = new BlockAssembler(dir, config, backlog, loop, recovered.lastSeq());
        this.thread = Thread.ofPlatform().daemon().name("replay-log-writer-" + Long.toUnsignedString(sessionId))
                .unstarted(loop);
    }

    /**
     * Opens the log in {@code dir} for appending, creating the directory if needed (its owner's
     * only: {@link FileTrees#createPrivateDirectory}). A log that is
     * already there (a session resumed after a migration) is recovered first and continued: the
     * next call must have a higher sequence number than its last.
     *
     * @throws IOException when another writer holds the directory, or recovery refuses the log
     */
    public static LogWriter open(Path dir, long sessionId, LogWriterConfig config) throws IOException {
        FileTrees.createPrivateDirectory(dir);
        WriterLock lock = WriterLock.tryAcquire(dir);
        if (lock == null) {
            throw new IOException("replay log " + dir + " is being written by another writer (" + dir.resolve(LogFormat.LOCK_FILE) + " is locked)");
        }
        try {
            TailRecovery.Result recovered = TailRecovery.recover(dir);
            if (recovered.report().truncated()) {
                LOG.warn("replay log {}: {}", dir, recovered.report());
            }
            List<Path> segments = Segments.list(dir);
            long lastSegmentName = segments.isEmpty() ? -1 : LogFormat.segmentFirstSeq(segments.getLast());
            BlockPersister persister = new BlockPersister(dir, sessionId, config,
                    BlobStore.forWriting(dir, config.zstdLevel()), lastSegmentName);
            LogWriter writer = new LogWriter(dir, config, lock, recovered, persister, sessionId);
            writer.thread.start();
            return writer;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** As {@link #append(long, int, int, ByteBuf, boolean, int)}, for a call without a status. */
    public void append(long seq, Op op, int flags, ByteBuf body) {
        append(seq, op.code(), flags, body, false, 0);
    }

    /** As {@link #append(long, int, int, ByteBuf, boolean, int)}, for a call with its status. */
    public void append(long seq, Op op, int flags, ByteBuf body, int status) {
        append(seq, op.code(), flags, body, true, status);
    }

    /**
     * Logs a call as it crossed the wire. Takes ownership of one reference to {@code body} (the
     * readable bytes are the body), which it releases once it no longer needs them: at once for a
     * body it copies, after the write for a payload it keeps. The caller must not change those
     * bytes afterwards. Never does disk I/O; may wait up to {@code maxStall} when the writer is
     * over budget (see the class comment).
     *
     * @throws IllegalArgumentException when {@code seq} is not above the last logged sequence
     *     number (calls start at 1: HELLO and ATTACH, with seq 0, are not logged), or the op
     *     code or flags do not fit in a u16 (the body is released)
     * @throws IllegalStateException after {@link #close()} (the body is released)
     */
    public void append(long seq, int opCode, int flags, ByteBuf body, boolean hasStatus, int status) {
        blocks.append(seq, opCode, flags, body, hasStatus, status, true);
    }

    /**
     * As {@link #append(long, int, int, ByteBuf, boolean, int)} for a call without a status, but
     * {@code body} stays the caller's: its readable bytes are copied before this returns (no
     * reference counting, for the small bodies of most calls), except a payload bound for the blob
     * store, of which a retained duplicate is kept (the caller must then not change those bytes).
     */
    public void appendBorrowed(long seq, int opCode, int flags, ByteBuf body) {
        blocks.append(seq, opCode, flags, body, false, 0, false);
    }

    /**
     * Logs the worker's result for a call logged earlier (for a worker that logs a call before
     * executing it). Never does disk I/O and never waits. Thread-safe. While the writer is
     * degraded or failed, statuses are not logged (their calls may not be either).
     */
    public void appendStatus(long seq, int status) {
        blocks.appendStatus(seq, status);
    }

    /**
     * Logs what the reply to a call logged earlier returned after its status (the worker logs the
     * addresses its allocations got, so that a replay can place them there). Copies the readable
     * bytes of {@code results} and leaves the buffer to the caller. Never does disk I/O and never
     * waits. Thread-safe. Like statuses, results are not logged while the writer is degraded or failed.
     *
     * @throws IllegalArgumentException for a {@code seq} above the last logged one, or more than
     *     {@value #MAX_RESULT_BYTES} bytes
     */
    public void appendResult(long seq, ByteBuf results) {
        int n = results.readableBytes();
        if (n > MAX_RESULT_BYTES) {
            throw new IllegalArgumentException("result of " + n + " bytes; at most " + MAX_RESULT_BYTES + " are logged");
        }
        byte[] bytes = new byte[n];
        results.getBytes(results.readerIndex(), bytes);
        blocks.appendResult(seq, bytes, n);
    }

    /**
     * Records that calls {@code firstSeq .. lastSeq} ({@code count} of them) are not in this log:
     * a {@code LogGap} entry, as for calls the writer dropped, so that a reader sees the hole.
     * For calls logged elsewhere and lost (a migration whose log did not arrive). Never does disk
     * I/O. Thread-safe.
     *
     * @throws IllegalArgumentException when {@code firstSeq} is not above the last logged sequence
     *     number, or the range or count is empty
     * @throws IllegalStateException after {@link #close()}
     */
    public void appendGap(long firstSeq, long lastSeq, long count) {
        new io.gpumigrate.replay.LogGap(firstSeq, lastSeq, count); // checks the range
        blocks.appendGap(firstSeq, lastSeq, count);
    }

    /** Called by the writer thread: see {@link BlockAssembler#handOffIfLingering}. */
    boolean handOffIfLingering(long lingerNanos) {
        return blocks.handOffIfLingering(lingerNanos);
    }

    /** Called by the writer thread once a block is written (or dropped after a failure). */
    void written(PendingBlock block) {
        blocks.written(block);
    }

    /**
     * Blocks until every call appended before is written (and synced, per policy).
     *
     * @throws IOException when writing failed, with the cause
     */
    public void flush() throws IOException {
        request(false, true);
    }

    /**
     * Blocks until every call appended before is written to the log's files, without waiting
     * for them to reach stable storage: enough for a reader of the files on this host (a
     * migration shipping the log in its pause, where an fsync would only lengthen the pause).
     *
     * @throws IOException when writing failed, with the cause
     */
    public void flushToFiles() throws IOException {
        request(false, false);
    }

    private void request(boolean close) throws IOException {
        request(close, true);
    }

    private void request(boolean close, boolean sync) throws IOException {
        WriterLoop.FlushRequest request = new WriterLoop.FlushRequest(close, sync);
        blocks.enqueue(request);
        loop.wake();
        try {
            request.done().get();
        } catch (ExecutionException e) {
            throw new IOException("writing replay log " + dir + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for replay log " + dir);
        }
    }

    /**
     * Writes and syncs everything appended, stops the writer thread, unlocks the directory.
     * Idempotent.
     *
     * @throws IOException when writing failed, with the cause (the writer is closed all the same)
     */
    @Override
    public void close() throws IOException {
        if (blocks.closed()) {
            return;
        }
        try {
            request(true);
        } finally {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lock.close();
        }
    }

    /** The counters, now (each read on its own, so they may be a moment apart). Thread-safe; never waits. */
    public WriterStats stats() {
        return new WriterStats(blocks.appended(), blocks.dropped(), blocks.stalls(), blocks.stallNanos(), persister.blocksWritten,
                persister.segmentsCreated, persister.segmentBytes, persister.rawBytes, persister.blobsWritten,
                persister.blobBytes, persister.blobsDeduplicated, backlog.handedOff());
    }

    /** What recovery found when this writer opened an existing log. */
    public RecoveryReport recovery() {
        return recovery;
    }

    /** The last sequence number appended (or recovered). Thread-safe. */
    public long lastSeq() {
        return blocks.lastSeq();
    }

    public Path directory() {
        return dir;
    }
}
