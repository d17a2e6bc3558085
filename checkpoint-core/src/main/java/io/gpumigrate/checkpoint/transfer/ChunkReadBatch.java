package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ParallelChunkEncoder;
import io.gpumigrate.device.CudaException;
import java.io.IOException;

/**
 * The sender's reads of chunks from the source device into the encoder's (pinned) slots, a
 * few chunks per trip to the session's executor: one hand-off per chunk cost about as much as
 * the copy itself (tens of microseconds for 2 MiB at DMA speed), and a few chunks per trip still
 * let the client's calls interleave with a pre-copy round. A paused session's chunks are read
 * in a single trip instead ({@link #readPaused}).
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
    private long[] pausedAddresses = new long[0];
    private int[] pausedLengths = new int[0];
    private long[] pausedDigests = new long[0];
    private boolean[] pausedKnown = new boolean[0];
    private int pausedSize;
    /** Time the sender's thread waited for a free slot, and spent reading chunks into slots, since {@link #resetTimes}. */
    private long waitNanos;
    private long readNanos;

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
            long t0 = System.nanoTime();
            for (int k = 0; k < n; k++) {
                slots[k] = encoder.acquire();
            }
            long t1 = System.nanoTime();
            waitNanos += t1 - t0;
            source.run(device -> {
                for (int k = 0; k < n; k++) {
                    device.copyDtoH(slots[k].raw().asSlice(0, lengths[k]), addresses[k], null);
                }
                return null;
            });
            readNanos += System.nanoTime() - t1;
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

    /**
     * Queues the chunk at {@code address} of a paused session, for {@link #readPaused}; its
     * digest, where {@code known}, is the device's of the bytes it holds now.
     */
    void addPaused(long address, int length, boolean known, long digest) {
        if (pausedSize == pausedAddresses.length) {
            int grown = Math.max(64, pausedSize * 2);
            pausedAddresses = java.util.Arrays.copyOf(pausedAddresses, grown);
            pausedLengths = java.util.Arrays.copyOf(pausedLengths, grown);
            pausedDigests = java.util.Arrays.copyOf(pausedDigests, grown);
            pausedKnown = java.util.Arrays.copyOf(pausedKnown, grown);
        }
        pausedAddresses[pausedSize] = address;
        pausedLengths[pausedSize] = length;
        pausedDigests[pausedSize] = digest;
        pausedKnown[pausedSize] = known;
        pausedSize++;
    }

    /**
     * Reads every chunk queued with {@link #addPaused} in one trip to the source, each into a
     * slot as one frees up, and hands each to the encoder. For a paused session only: its calls
     * are held anyway, so the trip may last the whole copy, and no hand-off per few chunks is
     * paid. The encoder (and so its sink) is used on the source's executor until this returns.
     */
    void readPaused() throws IOException, CudaException, InterruptedException {
        int n = pausedSize;
        pausedSize = 0;
        if (n == 0) {
            return;
        }
        long start = System.nanoTime();
        long[] waited = new long[1];
        try {
            source.run(device -> {
                for (int k = 0; k < n; k++) {
                    long t0 = System.nanoTime();
                    ParallelChunkEncoder.Slot slot = acquireOnSource();
                    waited[0] += System.nanoTime() - t0;
                    try {
                        device.copyDtoH(slot.raw().asSlice(0, pausedLengths[k]), pausedAddresses[k], null);
                    } catch (CudaException | RuntimeException e) {
                        encoder.giveBack(slot);
                        throw e;
                    }
                    if (pausedKnown[k]) {
                        encoder.submitWithDigest(slot, pausedAddresses[k], pausedLengths[k], pausedDigests[k]);
                    } else {
                        encoder.submit(slot, pausedAddresses[k], pausedLengths[k]);
                    }
                }
                return null;
            });
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof java.io.InterruptedIOException) {
                throw new InterruptedException(e.getCause().getMessage());
            }
            throw e.getCause();
        } finally {
            waitNanos += waited[0];
            readNanos += System.nanoTime() - start - waited[0];
        }
    }

    /** {@link ParallelChunkEncoder#acquire} inside a device call, which throws only unchecked exceptions. */
    private ParallelChunkEncoder.Slot acquireOnSource() {
        try {
            return encoder.acquire();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.UncheckedIOException(new java.io.InterruptedIOException("interrupted waiting for a chunk buffer"));
        }
    }

    long waitNanos() {
        return waitNanos;
    }

    long readNanos() {
        return readNanos;
    }

    void resetTimes() {
        waitNanos = 0;
        readNanos = 0;
    }

    /** Forgets what is queued (after a failure). */
    void clear() {
        size = 0;
        pausedSize = 0;
    }
}
