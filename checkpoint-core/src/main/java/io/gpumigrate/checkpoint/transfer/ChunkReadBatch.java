package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ParallelChunkEncoder;
import io.gpumigrate.device.CudaException;
import java.io.IOException;

/**
 * The sender's reads of chunks from the source device into the encoder's (pinned) slots, a
 * few chunks per trip to the session's executor: one hand-off per chunk cost about as much as
 * the copy itself (tens of microseconds for 2 MiB at DMA speed), and a few chunks per trip still
 * let the client's calls interleave with a pre-copy round.
 *
 * <p>Not thread-safe: the sender's thread only.
 */
final class ChunkReadBatch {

    /** Chunks per trip at most: 16 MiB of 2 MiB chunks, about 0.3 ms of pinned DtoH on an H200. */
    static final int MAX_CHUNKS = 8;

    private final SourceAccess source;
    private final ParallelChunkEncoder encoder;
    private final long[] addresses;
    private final int[] lengths;
    private final long[] digests;
    private final boolean[] digestKnown;
    private int size;

    /** @param depth the encoder's slots: a batch takes at most a quarter of them */
    ChunkReadBatch(SourceAccess source, ParallelChunkEncoder encoder, int depth) {
        this.source = source;
        this.encoder = encoder;
        int capacity = Math.max(1, Math.min(MAX_CHUNKS, depth / 4));
        this.addresses = new long[capacity];
        this.lengths = new int[capacity];
        this.digests = new long[capacity];
        this.digestKnown = new boolean[capacity];
    }

    /** Queues the chunk at {@code address}; reads the batch once it is full. */
    void add(long address, int length) throws IOException, CudaException, InterruptedException {
        queue(address, length, false, 0);
    }

    /**
     * Queues the chunk at {@code address} whose digest the device computed while its memory could
     * not change (the session paused): the encoder then does not hash it on the host.
     */
    void addWithDigest(long address, int length, long digest) throws IOException, CudaException, InterruptedException {
        queue(address, length, true, digest);
    }

    private void queue(long address, int length, boolean known, long digest)
            throws IOException, CudaException, InterruptedException {
        addresses[size] = address;
        lengths[size] = length;
        digestKnown[size] = known;
        digests[size] = digest;
        if (++size == addresses.length) {
            flush();
        }
    }

    /** Reads every queued chunk in one trip to the source and hands each to the encoder. */
    void flush() throws IOException, CudaException, InterruptedException {
        int n = size;
        size = 0;
        if (n == 0) {
            return;
        }
        ParallelChunkEncoder.Slot[] slots = new ParallelChunkEncoder.Slot[n];
        try {
            for (int k = 0; k < n; k++) {
                slots[k] = encoder.acquire();
            }
            source.run(device -> {
                for (int k = 0; k < n; k++) {
                    device.copyDtoH(slots[k].raw().asSlice(0, lengths[k]), addresses[k], null);
                }
                return null;
            });
        } catch (IOException | CudaException | InterruptedException | RuntimeException e) {
            for (ParallelChunkEncoder.Slot slot : slots) {
                if (slot != null) {
                    encoder.giveBack(slot);
                }
            }
            throw e;
        }
        for (int k = 0; k < n; k++) {
            if (digestKnown[k]) {
                encoder.submitWithDigest(slots[k], addresses[k], lengths[k], digests[k]);
            } else {
                encoder.submit(slots[k], addresses[k], lengths[k]);
            }
        }
    }

    /** Forgets what is queued (after a failure). */
    void clear() {
        size = 0;
    }
}
