package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ParallelChunkEncoder;
import io.gpumigrate.device.CudaException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

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

    /** A chunk of a paused session to read; {@code digestKnown}: the device's digest of what it holds now. */
    private record PausedRead(long address, int length, boolean digestKnown, long digest) {
    }

    private final SourceAccess source;
    private final ParallelChunkEncoder encoder;
    private final long[] addresses;
    private final int[] lengths;
    private int size;
    private final List<PausedRead> paused = new ArrayList<>();
    /** Time the sender waited for a free slot, and spent reading chunks into slots, since {@link #resetTimes}. */
    private long waitNanos;
    private long readNanos;

    /** @param depth the encoder's slots: a batch takes at most a quarter of them */
    ChunkReadBatch(SourceAccess source, ParallelChunkEncoder encoder, int depth) {
        this.source = source;
        this.encoder = encoder;
        int capacity = Math.max(1, Math.min(MAX_CHUNKS, depth / 4));
        this.addresses = new long[capacity];
        this.lengths = new int[capacity];
    }

    /** Queues the chunk at {@code address}; reads the batch once it is full. */
    void add(long address, int length) throws IOException, CudaException, InterruptedException {
        addresses[size] = address;
        lengths[size] = length;
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
            encoder.submit(slots[k], addresses[k], lengths[k]);
        }
    }

    /**
     * Queues the chunk at {@code address} of a paused session, for {@link #readPaused}; its
     * digest, where {@code known}, is the device's of the bytes it holds now: the encoder then
     * does not hash it on the host.
     */
    void addPaused(long address, int length, boolean known, long digest) {
        paused.add(new PausedRead(address, length, known, digest));
    }

    /**
     * Reads every chunk queued with {@link #addPaused} in one trip to the source, each into a
     * slot as one frees up, and hands each to the encoder. For a paused session only: its calls
     * are held anyway, so the trip may last the whole copy, and no hand-off per few chunks is
     * paid. The encoder (and so its sink) is used on the source's executor until this returns.
     */
    void readPaused() throws IOException, CudaException, InterruptedException {
        if (paused.isEmpty()) {
            return;
        }
        List<PausedRead> chunks = List.copyOf(paused);
        paused.clear();
        long start = System.nanoTime();
        long[] waited = new long[1];
        try {
            source.run(device -> {
                for (PausedRead c : chunks) {
                    long t0 = System.nanoTime();
                    ParallelChunkEncoder.Slot slot = acquireOnSource();
                    waited[0] += System.nanoTime() - t0;
                    try {
                        device.copyDtoH(slot.raw().asSlice(0, c.length()), c.address(), null);
                    } catch (CudaException | RuntimeException e) {
                        encoder.giveBack(slot);
                        throw e;
                    }
                    encoder.submit(slot, c.address(), c.length(), c.digestKnown(), c.digest());
                }
                return null;
            });
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof InterruptedIOException) {
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
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            // to the sender, as InterruptedException (readPaused); the session's thread is not left interrupted
            throw new UncheckedIOException(new InterruptedIOException("interrupted waiting for a chunk buffer"));
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
        paused.clear();
    }
}
