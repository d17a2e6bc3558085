package io.gpumigrate.checkpoint;

import io.gpumigrate.device.CudaException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * Decodes and verifies chunks on a pool of threads while one producer thread reads their
 * payloads, and applies the decoded chunks (typically {@code copyHtoD}) on the producer
 * thread, in the order they were submitted, or, with a {@link PoolApplier}, on the pool
 * threads as soon as each is decoded.
 *
 * <p>Not thread-safe: every method is called on the producer thread.
 */
public final class ParallelChunkDecoder {

    /** Writes a decoded, verified chunk somewhere; called on the producer thread. */
    public interface Applier {
        /**
         * {@code raw} holds the chunk's {@code chunk.rawLength()} decoded bytes and is valid only
         * during the call; {@code chunk} says where they go and how they came (a zero chunk can
         * be a memset instead of a copy). {@code raw} is null when the {@link PoolApplier} has
         * written the chunk already.
         */
        void apply(EncodedChunk chunk, MemorySegment raw) throws IOException, CudaException;
    }

    /**
     * Writes a decoded chunk right where it was decoded, on a pool thread, several at once
     * (typically {@link io.gpumigrate.device.DeviceBackend#copyHtoDConcurrently}); returns false
     * to leave the chunk to the {@link Applier} instead. Must be safe to call concurrently.
     */
    public interface PoolApplier {
        boolean apply(EncodedChunk chunk, MemorySegment raw) throws CudaException;
    }

    /** A buffer for one encoded payload, and the scratch memory its decoding needs. */
    public static final class Slot {
        private final MemorySegment payload;
        private final MemorySegment scratch;

        private Slot(MemorySegment payload, MemorySegment scratch) {
            this.payload = payload;
            this.scratch = scratch;
        }

        /** Where the producer puts the first {@code length} bytes of encoded payload. */
        public MemorySegment payload(int length) {
            return payload.asSlice(0, length);
        }
    }

    /** A decoded chunk: its bytes, or null when the pool applier wrote it already. */
    private record Pending(Slot slot, String source, CompletableFuture<MemorySegment> decoded, EncodedChunk chunk) {
    }

    private final ChunkCodec codec;
    private final Executor executor;
    private final Applier applier;
    private final PoolApplier poolApplier;
    private final ArrayBlockingQueue<Slot> free;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final java.util.List<MemorySegment> buffers = new java.util.ArrayList<>();

    public ParallelChunkDecoder(ChunkCodec codec, Executor executor, int depth, Applier applier) {
        this(codec, executor, depth, applier, null);
    }

    /**
     * @param poolApplier writes decoded chunks on the pool, where it accepts them; null: every
     *                    chunk goes to {@code applier} on the producer thread
     */
    public ParallelChunkDecoder(ChunkCodec codec, Executor executor, int depth, Applier applier,
                                PoolApplier poolApplier) {
        this.poolApplier = poolApplier;
        if (depth < 1 || depth > 1024) {
            throw new IllegalArgumentException("depth " + depth + " is outside 1 to 1024");
        }
        this.codec = codec;
        this.executor = executor;
        this.applier = applier;
        this.free = new ArrayBlockingQueue<>(depth);
        Arena arena = Arena.ofAuto();
        for (int i = 0; i < depth; i++) {
            Slot slot = new Slot(arena.allocate(codec.maxEncodedLength(), 4096), arena.allocate(codec.chunkSize(), 4096));
            buffers.add(slot.payload);
            buffers.add(slot.scratch);
            free.add(slot);
        }
    }

    /**
     * Every slot's payload and scratch buffer, from which the applier copies decoded chunks:
     * register them with the device ({@link HostPinning}) so those copies need no staging. They
     * live as long as this decoder is reachable.
     */
    public java.util.List<MemorySegment> buffers() {
        return java.util.Collections.unmodifiableList(buffers);
    }

    /** A decoder on the shared pool, two slots per core. */
    public static ParallelChunkDecoder onSharedPool(ChunkCodec codec, Applier applier) {
        return onSharedPool(codec, applier, null);
    }

    /** A decoder on the shared pool, two slots per core, writing chunks on the pool where {@code poolApplier} takes them. */
    public static ParallelChunkDecoder onSharedPool(ChunkCodec codec, Applier applier, PoolApplier poolApplier) {
        return new ParallelChunkDecoder(codec, ChunkWorkers.shared(), ChunkWorkers.inFlight(), applier,
                poolApplier);
    }

    /** A free slot; meanwhile applies the chunks that are decoded, in order. */
    public Slot acquire() throws IOException, CudaException {
        Slot slot = free.poll();
        while (slot == null) {
            if (pending.isEmpty()) {
                throw new IllegalStateException("every slot is acquired and none submitted");
            }
            applyHead();
            slot = free.poll();
        }
        return slot;
    }

    /**
     * Starts decoding {@code chunk}, whose payload lies in the slot; {@code source} names
     * where it came from in error messages (a file).
     */
    public void submit(Slot slot, EncodedChunk chunk, String source) {
        pending.add(new Pending(slot, source, CompletableFuture.supplyAsync(() -> {
            try {
                MemorySegment raw = codec.decode(chunk, slot.scratch);
                return poolApplier != null && poolApplier.apply(chunk, raw) ? null : raw;
            } catch (ChunkCorruptedException | CudaException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, executor), chunk));
    }

    /** Gives back a slot that was acquired but not submitted. */
    public void giveBack(Slot slot) {
        free.add(slot);
    }

    /** Applies every submitted chunk, in order. */
    public void flush() throws IOException, CudaException {
        while (!pending.isEmpty()) {
            applyHead();
        }
    }

    /** Drops every chunk not yet applied (after a failure); waits for their decoding to end. */
    public void discardPending() {
        while (!pending.isEmpty()) {
            Pending p = pending.poll();
            p.decoded.handle((r, e) -> null).join();
            free.add(p.slot);
        }
    }

    private void applyHead() throws IOException, CudaException {
        Pending head = pending.poll();
        try {
            MemorySegment raw;
            try {
                raw = head.decoded.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while decoding " + head.source);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof CudaException c) {
                    throw c;
                }
                throw new CheckpointFormatException(head.source + ": " + cause.getMessage(), cause);
            }
            applier.apply(head.chunk, raw);
        } finally {
            free.add(head.slot);
        }
    }
}
