package io.gpumigrate.replay.write;

import io.gpumigrate.replay.format.EntryBuffer;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * Entries appended but not yet written: encoded on the session thread, with the payloads bound
 * for the blob store kept as buffer references. Owned by the appender until handed to the
 * writer thread, then by the writer thread, which releases the attachments.
 */
final class PendingBlock {

    final EntryBuffer entries;
    final List<ByteBuf> attachments = new ArrayList<>();
    long firstSeq = -1;
    long lastSeq = -1;
    int entryCount;
    /** Bytes this block counts against the writer's budget. */
    long cost;
    /** Bytes of the payloads referenced by {@link #attachments}. */
    long attachedBytes;
    /** The payloads' hashes, in entry order, once the writer thread computed them ahead of the write; else null. */
    long[] payloadHashes;
    long createdNanos;

    PendingBlock(int capacity) {
        entries = new EntryBuffer(capacity);
    }

    boolean isEmpty() {
        return entryCount == 0;
    }

    /** Notes an entry covering {@code first..last}, costing {@code bytes}. */
    void added(long first, long last, long bytes) {
        if (entryCount == 0) {
            firstSeq = first;
            createdNanos = System.nanoTime();
        }
        firstSeq = Math.min(firstSeq, first);
        lastSeq = Math.max(lastSeq, last);
        entryCount++;
        cost += bytes;
    }

    /** Notes a payload of {@code bytes} kept as an attachment. */
    void attached(ByteBuf payload, long bytes) {
        attachments.add(payload);
        attachedBytes += bytes;
    }

    /**
     * Empties a written block for reuse, unless its entry buffer grew past twice
     * {@code capacity} (a large inline body), which is better left to the garbage collector.
     *
     * @return whether the block may be reused
     */
    boolean reset(int capacity) {
        if (entries.array().length > 2 * capacity) {
            return false;
        }
        entries.clear();
        attachments.clear();
        firstSeq = -1;
        lastSeq = -1;
        entryCount = 0;
        cost = 0;
        attachedBytes = 0;
        payloadHashes = null;
        return true;
    }

    /** Releases the attachments (once the block is written or dropped). */
    void releaseAttachments() {
        for (ByteBuf b : attachments) {
            b.release();
        }
        attachments.clear();
    }
}
