package io.gpumigrate.replay.write;

import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.format.EntryBuffer;
import io.gpumigrate.replay.format.EntryCursor;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The appending side of a {@link LogWriter}: encodes each appended entry into the open
 * {@link PendingBlock}, keeps a large MEMCPY_HTOD payload as a reference instead of a copy,
 * and hands a full block (or one holding enough payload bytes) to the writer thread, waking it
 * only when waiting would cost. It admits entries against the writer's budget ({@link Backlog}):
 * it stalls an append for room, then turns degraded and drops calls into a gap until the writer
 * catches up (see {@link LogWriter}). It reuses the blocks the writer thread gives back.
 *
 * <p>Thread-safe: everything but the counters is guarded by the append lock; the writer thread
 * calls {@link #handOffIfLingering} and {@link #written}, the rest is called by the appender.
 */
final class BlockAssembler {

    // Logs as the writer: these lines are the writer's, and log settings name LogWriter.
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    /** Bytes of a MEMCPY_HTOD body before its payload: u64 dst, u64 stream. */
    private static final int HTOD_HEADER = 16;
    /** A block holding payloads is handed off once it references this many blocks' worth of bytes. */
    private static final int ATTACHED_BLOCKS = 16;
    /** Handing off a block wakes the writer thread once the backlog reaches 1/URGENT_SHARE of the budget. */
    private static final int URGENT_SHARE = 4;

    private final Path dir;
    private final LogWriterConfig config;
    private final Backlog backlog;
    private final WriterLoop loop;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final long attachedHandOffBytes;
    /** A written block the writer thread gave back for reuse, or null. */
    private final AtomicReference<PendingBlock> spare = new AtomicReference<>();

    // guarded by appendLock
    private PendingBlock current;
    private long lastSeq;
    private boolean closed;
    private boolean degraded;
    private final DroppedCalls dropped = new DroppedCalls();
    // written under appendLock with release stores (no fence on the hot path), read by the writer's stats() without it
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong stalls = new AtomicLong();
    private final AtomicLong stallNanos = new AtomicLong();

    /** {@code lastSeq}: the last sequence number the log holds already (recovered), or 0. */
    BlockAssembler(Path dir, LogWriterConfig config, Backlog backlog, WriterLoop loop, long lastSeq) {
        this.dir = dir;
        this.config = config;
        this.backlog = backlog;
        this.loop = loop;
        this.lastSeq = lastSeq;
        this.attachedHandOffBytes = (long) ATTACHED_BLOCKS * config.blockBytes();
    }

    /** See {@link LogWriter#append(long, int, int, ByteBuf, boolean, int)}; {@code owned}: whether the body's reference is ours. */
    void append(long seq, int opCode, int flags, ByteBuf body, boolean hasStatus, int status, boolean owned) {
        boolean wake = false;
        boolean kept = false; // whether the block now owns the body
        appendLock.lock();
        try {
            checkAppend(seq, opCode, flags);
            lastSeq = seq;
            int n = body.readableBytes();
            boolean toBlob = opCode == Op.MEMCPY_HTOD.code() && n > HTOD_HEADER
                    && n - HTOD_HEADER >= config.blobMinBytes();
            long cost = EntryBuffer.CALL_HEADER + (long) n + (toBlob ? 4 : 0);
            if (loop.failure != null || !admit(cost)) {
                dropped.drop(seq);
                return;
            }
            PendingBlock b = current();
            if (dropped.gapOpen()) {
                dropped.closeGapInto(b);
            }
            if (toBlob) {
                b.entries.putCall(EntryCursor.PENDING_BLOB, seq, opCode, flags, hasStatus, status, body,
                        body.readerIndex(), HTOD_HEADER);
                b.entries.putAttachmentIndex(b.attachments.size());
                b.attached(owned ? body : body.retainedDuplicate(), n - HTOD_HEADER);
                kept = owned;
            } else {
                b.entries.putCall(EntryCursor.CALL, seq, opCode, flags, hasStatus, status, body,
                        body.readerIndex(), n);
            }
            b.added(seq, seq, cost);
            appended.lazySet(appended.get() + 1);
            if (b.entries.length() >= config.blockBytes() || b.cost >= attachedHandOffBytes) {
                // A block of small entries waits for the writer's next poll: waking it from here
                // would cost this thread a system call, and the woken writer tends to be scheduled
                // on this thread's CPU. Payloads and a growing backlog want it at once.
                wake = b.attachedBytes > 0 || backlog.handedOff() + b.cost >= backlog.maxBytes() / URGENT_SHARE;
                handOff();
            }
        } finally {
            appendLock.unlock();
            if (owned && !kept) {
                body.release();
            }
        }
        if (wake) {
            loop.wake();
        }
    }

    /** See {@link LogWriter#appendStatus}. */
    void appendStatus(long seq, int status) {
        appendLock.lock();
        try {
            if (!followsLogged("status", seq)) {
                return;
            }
            PendingBlock b = current();
            b.entries.putStatus(seq, status);
            b.added(seq, seq, EntryBuffer.STATUS_LENGTH);
        } finally {
            appendLock.unlock();
        }
    }

    /** See {@link LogWriter#appendResult}: the result's {@code n} bytes, copied already. */
    void appendResult(long seq, byte[] bytes, int n) {
        appendLock.lock();
        try {
            if (!followsLogged("result", seq)) {
                return;
            }
            PendingBlock b = current();
            b.entries.putResult(seq, bytes, 0, n);
            b.added(seq, seq, EntryBuffer.RESULT_HEADER + n);
        } finally {
            appendLock.unlock();
        }
    }

    /** See {@link LogWriter#appendGap}; the range is checked already. */
    void appendGap(long firstSeq, long lastSeq, long count) {
        appendLock.lock();
        try {
            checkOpen();
            if (firstSeq <= this.lastSeq) {
                throw new IllegalArgumentException("gap from seq " + firstSeq + " is not above the last logged seq "
                        + this.lastSeq);
            }
            this.lastSeq = lastSeq;
            PendingBlock b = current();
            b.entries.putGap(firstSeq, lastSeq, count);
            b.added(firstSeq, lastSeq, EntryBuffer.GAP_LENGTH);
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Whether the {@code what} (a status or a result) of the call logged as {@code seq} is logged
     * now: not while the writer is degraded or failed.
     *
     * @throws IllegalStateException when closed
     * @throws IllegalArgumentException when {@code seq} is above the last logged one
     */
    private boolean followsLogged(String what, long seq) {
        checkOpen();
        if (seq > lastSeq) {
            throw new IllegalArgumentException(what + " for seq " + seq + ", which is above the last logged seq "
                    + lastSeq);
        }
        return loop.failure == null && !degraded;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("replay log " + dir + " is closed");
        }
    }

    private void checkAppend(long seq, int opCode, int flags) {
        checkOpen();
        if (seq <= lastSeq) {
            throw new IllegalArgumentException("seq " + seq + " is not above the last logged seq " + lastSeq);
        }
        if (opCode < 0 || opCode > 0xFFFF || flags < 0 || flags > 0xFFFF) {
            throw new IllegalArgumentException("op code " + opCode + " or flags " + flags + " outside 0..65535");
        }
    }

    /** Whether an entry costing {@code cost} may be queued now; may wait (see {@link LogWriter}). */
    private boolean admit(long cost) {
        if (degraded) {
            if (!backlog.fits(cost, openBytes() + backlog.maxBytes() / 2)) {
                return false;
            }
            degraded = false;
            LOG.warn("replay log {}: the writer caught up; logging resumes after a gap of {} calls", dir,
                    dropped.gapCount());
            return true;
        }
        if (backlog.fits(cost, openBytes())) {
            return true;
        }
        if (current != null && !current.isEmpty()) {
            handOff();
        }
        loop.wake();
        long maxStall = config.maxStall().toNanos();
        if (maxStall > 0) {
            stalls.lazySet(stalls.get() + 1);
            long start = System.nanoTime();
            boolean room = backlog.awaitRoom(cost, start + maxStall, () -> loop.failure != null);
            stallNanos.lazySet(stallNanos.get() + (System.nanoTime() - start));
            if (room) {
                return true;
            }
        }
        degraded = true;
        LOG.warn("replay log {}: {} bytes are waiting to be written, over the budget of {}; dropping calls "
                + "(they will be logged as a gap) until the writer catches up", dir, backlog.handedOff() + openBytes(),
                backlog.maxBytes());
        return false;
    }

    private long openBytes() {
        return current != null ? current.cost : 0;
    }

    private PendingBlock current() {
        if (current == null) {
            PendingBlock reused = spare.getAndSet(null);
            current = reused != null ? reused : new PendingBlock(config.blockBytes() + 256);
        }
        return current;
    }

    private void handOff() {
        backlog.handedOff(current.cost);
        loop.queue.add(current);
        current = null;
    }

    /**
     * Queues a flush or close behind everything appended (an open gap and the open block first),
     * and closes this side to appends when it is a close.
     *
     * @throws IllegalStateException when already closed
     */
    void enqueue(WriterLoop.FlushRequest request) {
        appendLock.lock();
        try {
            checkOpen();
            if (dropped.gapOpen() && loop.failure == null) {
                dropped.closeGapInto(current());
            }
            if (current != null && !current.isEmpty()) {
                handOff();
            }
            loop.queue.add(request);
            closed = request.close();
        } finally {
            appendLock.unlock();
        }
    }

    /** Called by the writer thread: hands off the open block if it is older than the linger time. */
    boolean handOffIfLingering(long lingerNanos) {
        if (!appendLock.tryLock()) {
            return false;
        }
        try {
            if (current != null && !current.isEmpty() && System.nanoTime() - current.createdNanos >= lingerNanos) {
                handOff();
                return true;
            }
            return false;
        } finally {
            appendLock.unlock();
        }
    }

    /** Called by the writer thread once a block is written (or dropped after a failure). */
    void written(PendingBlock block) {
        backlog.written(block.cost);
        if (block.reset(config.blockBytes() + 256)) {
            spare.set(block);
        }
    }

    /** Whether a close was queued. */
    boolean closed() {
        appendLock.lock();
        try {
            return closed;
        } finally {
            appendLock.unlock();
        }
    }

    /** The last sequence number appended (or recovered). */
    long lastSeq() {
        appendLock.lock();
        try {
            return lastSeq;
        } finally {
            appendLock.unlock();
        }
    }

    /** Calls accepted by an append; never waits. */
    long appended() {
        return appended.get();
    }

    /** Calls dropped; never waits. */
    long dropped() {
        return dropped.total();
    }

    /** Appends that waited for room; never waits. */
    long stalls() {
        return stalls.get();
    }

    /** Time appends spent waiting for room; never waits. */
    long stallNanos() {
        return stallNanos.get();
    }
}
