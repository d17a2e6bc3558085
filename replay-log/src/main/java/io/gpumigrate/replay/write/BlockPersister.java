package io.gpumigrate.replay.write;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import io.gpumigrate.replay.BlobRef;
import io.gpumigrate.replay.blob.BlobStore;
import io.gpumigrate.replay.format.BlockHeader;
import io.gpumigrate.replay.format.EntryBuffer;
import io.gpumigrate.replay.format.EntryCursor;
import io.gpumigrate.replay.format.LogFormat;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Turns pending blocks into bytes on disk: payloads to the blob store, entries compressed with
 * zstd, framed ({@link BlockHeader}) and appended to the current segment, which is rolled at
 * the size limit. Not thread-safe: used by the writer thread only (which hands payload work
 * to {@link PayloadWorkers} and waits for it).
 */
final class BlockPersister implements AutoCloseable {

    private final Path dir;
    private final long sessionId;
    private final LogWriterConfig config;
    private final BlobStore blobs;
    private final ZstdCompressCtx zstd = new ZstdCompressCtx();
    private final EntryBuffer resolved;
    private final byte[] header = new byte[BlockHeader.LENGTH];
    private byte[] packed = new byte[0];
    private SegmentOutput segment;
    private long lastSegmentName;

    volatile long blocksWritten;
    volatile long segmentsCreated;
    volatile long segmentBytes;
    volatile long rawBytes;
    volatile long blobsWritten;
    volatile long blobBytes;
    volatile long blobsDeduplicated;

    /**
     * @param lastSegmentName the first sequence number of the newest segment already in
     *     {@code dir}, or -1: a new segment is always named above it
     */
    BlockPersister(Path dir, long sessionId, LogWriterConfig config, BlobStore blobs, long lastSegmentName) {
        this.lastSegmentName = lastSegmentName;
        this.dir = dir;
        this.sessionId = sessionId;
        this.config = config;
        this.blobs = blobs;
        this.resolved = new EntryBuffer(config.blockBytes() + 4096);
        zstd.setLevel(config.zstdLevel());
    }

    /** Writes one block; releases its attachments whether or not it succeeds. */
    void write(PendingBlock block) throws IOException {
        try {
            config.beforeBlockWrite().run();
            EntryBuffer entries = block.attachments.isEmpty() ? block.entries : resolveBlobs(block);
            int rawLength = entries.length();
            int bound = (int) Zstd.compressBound(rawLength);
            if (packed.length < bound) {
                packed = new byte[bound];
            }
            int size = zstd.compressByteArray(packed, 0, bound, entries.array(), 0, rawLength);
            byte[] body = packed;
            int codec = LogFormat.CODEC_ZSTD;
            if (size >= rawLength) {
                body = entries.array();
                size = rawLength;
                codec = LogFormat.CODEC_NONE;
            }
            new BlockHeader(size, rawLength, block.firstSeq, block.lastSeq, block.entryCount, codec,
                    BlockHeader.bodyCrc(body, 0, size)).encodeInto(header, 0);
            if (segment == null) {
                // Named by the block's first sequence number, unless that is a status for a call in
                // the previous segment which that segment is already named by.
                lastSegmentName = Math.max(block.firstSeq, lastSegmentName + 1);
                segment = SegmentOutput.create(dir, sessionId, lastSegmentName);
                segmentsCreated++;
                segmentBytes += segment.size();
            }
            segment.write(ByteBuffer.wrap(header), ByteBuffer.wrap(body, 0, size));
            blocksWritten++;
            segmentBytes += BlockHeader.LENGTH + size;
            rawBytes += rawLength;
            if (config.fsync() == FsyncPolicy.EVERY_BLOCK) {
                sync();
            }
            if (segment.size() >= config.segmentBytes()) {
                finishSegment();
            }
        } finally {
            block.releaseAttachments();
        }
    }

    /**
     * Re-encodes a block's entries with each pending payload replaced by its blob reference.
     * Payloads are hashed, then the new ones compressed and written, on several threads
     * ({@link PayloadWorkers}); which payloads are new is decided here, in entry order.
     */
    private EntryBuffer resolveBlobs(PendingBlock block) throws IOException {
        List<ByteBuffer> payloads = payloads(block);
        BlobRef[] refs = new BlobRef[payloads.size()];
        long[] known = block.payloadHashes;
        PayloadWorkers.forEach(refs.length, i -> refs[i] = new BlobRef(known != null ? known[i]
                : BlobStore.hash(payloads.get(i)), payloads.get(i).remaining()));
        List<Integer> fresh = new ArrayList<>();
        for (int i = 0; i < refs.length; i++) {
            if (blobs.claim(refs[i])) {
                fresh.add(i);
            }
        }
        long[] onDisk = new long[fresh.size()];
        try {
            PayloadWorkers.forEach(onDisk.length, k -> onDisk[k] = blobs.store(refs[fresh.get(k)],
                    payloads.get(fresh.get(k))));
        } catch (IOException | RuntimeException e) {
            fresh.forEach(i -> blobs.forget(refs[i]));
            throw e;
        }
        blobsWritten += onDisk.length;
        blobBytes += LongStream.of(onDisk).sum();
        blobsDeduplicated += refs.length - onDisk.length;

        resolved.clear();
        EntryCursor c = new EntryCursor(block.entries.array(), 0, block.entries.length(), true);
        int next = 0;
        while (c.next()) {
            if (c.kind() != EntryCursor.PENDING_BLOB) {
                resolved.putBytes(c.bytes(), c.entryStart(), c.entryEnd() - c.entryStart());
                continue;
            }
            int start = resolved.length();
            resolved.putBytes(c.bytes(), c.entryStart(), c.inlineOffset() + c.inlineLength() - c.entryStart());
            resolved.array()[start] = EntryCursor.CALL_BLOB;
            BlobRef ref = refs[next++];
            resolved.putBlobTrailer(ref.hash(), ref.length());
        }
        return resolved;
    }

    /** The payloads a block's pending-blob entries refer to, in entry order. */
    private static List<ByteBuffer> payloads(PendingBlock block) {
        List<ByteBuffer> payloads = new ArrayList<>();
        EntryCursor c = new EntryCursor(block.entries.array(), 0, block.entries.length(), true);
        while (c.next()) {
            if (c.kind() == EntryCursor.PENDING_BLOB) {
                ByteBuf att = block.attachments.get(c.attachment());
                payloads.add(att.nioBuffer(att.readerIndex() + c.inlineLength(),
                        att.readableBytes() - c.inlineLength()));
            }
        }
        return payloads;
    }

    /**
     * Hashes the payloads of several blocks at once, on several threads, ahead of their writes
     * ({@link PendingBlock#payloadHashes}): a stream of large uploads hands off one block per
     * payload, which would otherwise be hashed one at a time.
     */
    static void hashAhead(List<PendingBlock> blocks) throws IOException {
        List<ByteBuffer> all = new ArrayList<>();
        for (PendingBlock b : blocks) {
            List<ByteBuffer> payloads = payloads(b);
            b.payloadHashes = new long[payloads.size()];
            all.addAll(payloads);
        }
        long[] hashes = new long[all.size()];
        PayloadWorkers.forEach(hashes.length, i -> hashes[i] = BlobStore.hash(all.get(i)));
        int next = 0;
        for (PendingBlock b : blocks) {
            System.arraycopy(hashes, next, b.payloadHashes, 0, b.payloadHashes.length);
            next += b.payloadHashes.length;
        }
    }

    /** Forces blobs, then the segment, to stable storage. */
    void sync() throws IOException {
        blobs.sync();
        if (segment != null) {
            segment.force();
        }
    }

    /** Syncs per policy and closes the current segment; the next block starts a new one. */
    void finishSegment() throws IOException {
        if (segment == null) {
            return;
        }
        if (config.fsync() != FsyncPolicy.NEVER) {
            sync();
        }
        segment.close();
        segment = null;
    }

    @Override
    public void close() throws IOException {
        try {
            finishSegment();
        } finally {
            zstd.close();
            blobs.close();
        }
    }
}
