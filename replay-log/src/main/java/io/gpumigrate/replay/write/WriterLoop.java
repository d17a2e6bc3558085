package io.gpumigrate.replay.write;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The writer thread's loop: takes handed-off blocks and flush requests in order, writes blocks
 * through a {@link BlockPersister}, completes flush requests once what came before them is
 * written (and synced, per policy), and picks up a block that has lingered unfilled. The
 * payloads of a block and of the blocks queued behind it are hashed together, on several threads. It polls:
 * every {@link #BUSY_POLL} while it found work within the last half linger (at most 20 ms),
 * else every half linger; appends
 * wake it only when waiting would cost (see {@link LogWriter}). After a write fails it keeps
 * draining, dropping blocks, so appends never wait on a dead writer.
 */
final class WriterLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(WriterLoop.class);
    /**
     * How long the thread parks between polls after it found work: appends do not wake it for
     * blocks of small entries, so this bounds how long such a block waits while calls stream in.
     */
    static final long BUSY_POLL = TimeUnit.MILLISECONDS.toNanos(1);
    /** Blocks with payloads whose payloads are hashed together, at most. */
    static final int HASH_AHEAD = 16;

    /** A flush (or close) the writer thread completes once everything queued before it is done. */
    /** A flush (or close); {@code sync}: also force the files to stable storage, per policy. */
    record FlushRequest(boolean close, boolean sync, CompletableFuture<Void> done) {
        FlushRequest(boolean close, boolean sync) {
            this(close, sync, new CompletableFuture<>());
        }
    }

    private final LogWriter writer;
    private final BlockPersister persister;
    private final LogWriterConfig config;
    final Queue<Object> queue = new ConcurrentLinkedQueue<>();
    volatile Throwable failure;
    volatile Thread thread;

    WriterLoop(LogWriter writer, BlockPersister persister, LogWriterConfig config) {
        this.writer = writer;
        this.persister = persister;
        this.config = config;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        long lingerNanos = config.linger().toNanos();
        long idlePark = Math.min(lingerNanos / 2, TimeUnit.MILLISECONDS.toNanos(20));
        long busyPark = Math.min(idlePark, BUSY_POLL);
        long lastWork = System.nanoTime() - idlePark;
        while (true) {
            Object item = queue.poll();
            if (item == null) {
                if (!writer.handOffIfLingering(lingerNanos)) {
                    LockSupport.parkNanos(this, System.nanoTime() - lastWork < idlePark ? busyPark : idlePark);
                }
                continue;
            }
            lastWork = System.nanoTime();
            if (item instanceof PendingBlock block) {
                if (block.attachments.isEmpty()) {
                    write(block);
                } else {
                    writeWithPayloads(block);
                }
            } else if (item instanceof FlushRequest request) {
                if (complete(request)) {
                    return;
                }
            }
        }
    }

    /**
     * Writes {@code first} and the blocks queued right behind it, up to {@value #HASH_AHEAD}, after
     * hashing all their payloads at once on several threads.
     */
    private void writeWithPayloads(PendingBlock first) {
        List<PendingBlock> batch = new ArrayList<>();
        batch.add(first);
        // Only this thread takes from the queue, so what peek() shows is what poll() takes.
        while (batch.size() < HASH_AHEAD && queue.peek() instanceof PendingBlock) {
            batch.add((PendingBlock) queue.poll());
        }
        if (failure == null) {
            try {
                BlockPersister.hashAhead(batch);
            } catch (IOException | RuntimeException e) {
                batch.forEach(b -> b.payloadHashes = null); // each write hashes its own payloads, and fails there
            }
        }
        batch.forEach(this::write);
    }

    private void write(PendingBlock block) {
        try {
            if (failure == null) {
                persister.write(block);
            } else {
                block.releaseAttachments();
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        } finally {
            writer.written(block);
        }
    }

    /** Completes a flush or close; true when the loop should end. */
    private boolean complete(FlushRequest request) {
        try {
            if (failure == null && (request.sync() || request.close()) && config.fsync() != FsyncPolicy.NEVER) {
                persister.sync();
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
        if (request.close()) {
            try {
                persister.close();
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }
        if (failure != null) {
            request.done().completeExceptionally(failure);
        } else {
            request.done().complete(null);
        }
        return request.close();
    }

    private void fail(Throwable e) {
        if (failure == null) {
            failure = e;
            LOG.error("replay log {}: writing failed; calls from now on are counted as dropped and not logged",
                    writer.directory(), e);
        }
    }

    void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
