package io.gpumigrate.checkpoint;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Encodes chunks on a pool of threads while one producer thread fills buffers (typically
 * with {@code copyDtoH}, since a device backend is called from one thread only), and hands
 * the encoded chunks to a {@link Sink} in the order they were submitted, on the producer thread.
 *
 * <p>A fixed set of slots (a raw buffer and an output buffer each, native memory) bounds the
 * memory and the work in flight: {@link #acquire()} blocks until a slot is free. The sink
 * releases a slot when it no longer needs the chunk's payload, at once (a file write) or
 * later (a network write completing). Slot memory belongs to an automatic arena, so a payload
 * still referenced by a failed write is never freed under it.
 *
 * <p>Not thread-safe: every method but {@link #giveBack} is called on the producer thread.
 */
public final class ParallelChunkEncoder {

    /** Receives encoded chunks, in submission order, on the producer thread. */
    public interface Sink {
        /**
         * Takes a chunk. {@code release} (idempotent) must run once the payload is no longer
         * needed; when this method throws, the encoder releases the slot itself.
         */
        void accept(EncodedChunk chunk, Runnable release) throws IOException;
    }

    /** A buffer of chunk-size bytes to fill, and the codec's output buffer that goes with it. */
    public static final class Slot {
        private final MemorySegment raw;
        private final MemorySegment out;

        private Slot(MemorySegment raw, MemorySegment out) {
            this.raw = raw;
            this.out = out;
        }

        /** The buffer the producer fills: chunk-size bytes of native memory. */
        public MemorySegment raw() {
            return raw;
        }
    }

    /**
     * An encoder's slots, which may be allocated ahead of it (before a pause: zero-filling a
     * shared pool's slots, about 140 MiB on 16 cores, took 75-90 ms on an H200 host).
     */
    public static final class Slots {
        private final List<Slot> list;
        private final int chunkSize;

        private Slots(List<Slot> list, int chunkSize) {
            this.list = list;
            this.chunkSize = chunkSize;
        }

        /** {@code depth} slots (1 to 1024) for {@code codec}'s chunks, in an automatic arena. */
        public static Slots allocate(ChunkCodec codec, int depth) {
            if (depth < 1 || depth > 1024) {
                throw new IllegalArgumentException("depth " + depth + " is outside 1 to 1024");
            }
            Arena arena = Arena.ofAuto();
            List<Slot> list = new ArrayList<>(depth);
            for (int i = 0; i < depth; i++) {
                list.add(new Slot(arena.allocate(codec.chunkSize(), 4096), arena.allocate(codec.maxEncodedLength(), 64)));
            }
            return new Slots(list, codec.chunkSize());
        }

        /** As many slots as {@link #onSharedPool(ChunkCodec, Sink)} takes: two per core, and two. */
        public static Slots forSharedPool(ChunkCodec codec) {
            return allocate(codec, ChunkWorkers.inFlight());
        }
    }

    private record Pending(Slot slot, CompletableFuture<EncodedChunk> encoded) {
    }

    private final ChunkCodec codec;
    private final Executor executor;
    private final Sink sink;
    private final ArrayBlockingQueue<Slot> free;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final int depth;
    private final java.util.List<MemorySegment> buffers = new java.util.ArrayList<>();

    private static final long RELEASE_TIMEOUT_SECONDS = 120;

    /**
     * @param depth slots, 1 to 1024: chunks being filled, encoded or written at once
     */
    public ParallelChunkEncoder(ChunkCodec codec, Executor executor, int depth, Sink sink) {
        this(codec, executor, Slots.allocate(codec, depth), sink);
    }

    /** An encoder that works in {@code slots} (allocated for a codec of the same chunk size); use them for no other. */
    public ParallelChunkEncoder(ChunkCodec codec, Executor executor, Slots slots, Sink sink) {
        if (slots.chunkSize != codec.chunkSize()) {
            throw new IllegalArgumentException("slots of " + slots.chunkSize + "-byte chunks for a codec of "
                    + codec.chunkSize());
        }
        this.codec = codec;
        this.executor = executor;
        this.sink = sink;
        this.depth = slots.list.size();
        this.free = new ArrayBlockingQueue<>(depth);
        for (Slot slot : slots.list) {
            buffers.add(slot.raw);
            free.add(slot);
        }
    }

    /**
     * Every slot's raw buffer, which the producer fills: register them with the device
     * ({@link HostPinning}) so that device-to-host copies land in them without staging. They
     * live as long as this encoder is reachable.
     */
    public java.util.List<MemorySegment> buffers() {
        return java.util.Collections.unmodifiableList(buffers);
    }

    /** An encoder on the shared pool, two slots per core. */
    public static ParallelChunkEncoder onSharedPool(ChunkCodec codec, Sink sink) {
        return onSharedPool(codec, Slots.forSharedPool(codec), sink);
    }

    /** An encoder on the shared pool, in slots allocated ahead ({@link Slots#forSharedPool}). */
    public static ParallelChunkEncoder onSharedPool(ChunkCodec codec, Slots slots, Sink sink) {
        return new ParallelChunkEncoder(codec, ChunkWorkers.shared(), slots, sink);
    }

    /**
     * A free slot to fill; meanwhile delivers finished chunks to the sink.
     *
     * @throws IOException when encoding a chunk failed or the sink threw
     */
    public Slot acquire() throws IOException, InterruptedException {
        deliverReady();
        while (true) {
            Slot slot = free.poll();
            if (slot != null) {
                return slot;
            }
            if (!pending.isEmpty()) {
                deliverHead();
            } else {
                slot = free.poll(RELEASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (slot == null) {
                    throw new IOException("no chunk payload was released within " + RELEASE_TIMEOUT_SECONDS
                            + " s; is the sink's writer stuck?");
                }
                return slot;
            }
        }
    }

    /** Starts encoding the first {@code length} bytes of the slot's buffer as the chunk at {@code address}. */
    public void submit(Slot slot, long address, int length) {
        submit(slot, address, length, false, 0);
    }

    /**
     * {@link #submit(Slot, long, int)}; {@code digestKnown}: {@code digest} is the chunk's
     * ({@link ChunkCodec#encodeWithDigest}, e.g. the device's while it could not change), and the
     * encoder does not hash it again.
     */
    public void submit(Slot slot, long address, int length, boolean digestKnown, long digest) {
        submit(slot, slot.raw.asSlice(0, length), address, digestKnown, digest);
    }

    /**
     * Encodes {@code raw} (native memory the caller keeps alive until this encoder has been
     * flushed or discarded, e.g. {@link HostStaging}) as the chunk at {@code address}, into the
     * slot's output buffer; the slot's own raw buffer is not used.
     */
    public void submit(Slot slot, MemorySegment raw, long address, boolean digestKnown, long digest) {
        pending.add(new Pending(slot, CompletableFuture.supplyAsync(() -> digestKnown
                ? codec.encodeWithDigest(address, raw, slot.out, digest) : codec.encode(address, raw, slot.out), executor)));
    }

    /**
     * Delivers the chunks at the head of the queue whose encoding has finished, without waiting
     * for any: their writes start, and their slots come back, while the producer fills more.
     */
    public void deliverReady() throws IOException, InterruptedException {
        while (!pending.isEmpty() && pending.peek().encoded.isDone()) {
            deliverHead();
        }
    }

    /** Gives back a slot that was acquired but not submitted; from any thread (a copy out of it that ended). */
    public void giveBack(Slot slot) {
        free.add(slot);
    }

    /**
     * Delivers every submitted chunk, in order, and waits until the sink has released every
     * slot, so that all payloads have been written when this returns.
     */
    public void flush() throws IOException, InterruptedException {
        while (!pending.isEmpty()) {
            deliverHead();
        }
        java.util.List<Slot> all = new java.util.ArrayList<>(depth);
        try {
            while (all.size() < depth) {
                Slot slot = free.poll(RELEASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (slot == null) {
                    throw new IOException((depth - all.size()) + " chunk payloads were not released within "
                            + RELEASE_TIMEOUT_SECONDS + " s; is the sink's writer stuck?");
                }
                all.add(slot);
            }
        } finally {
            free.addAll(all);
        }
    }

    /** Drops every chunk not yet delivered (after a failure); waits for their encoding to end. */
    public void discardPending() {
        while (!pending.isEmpty()) {
            Pending p = pending.poll();
            p.encoded.handle((c, e) -> null).join();
            free.add(p.slot);
        }
    }

    private void deliverHead() throws IOException, InterruptedException {
        Pending head = pending.poll();
        EncodedChunk chunk;
        try {
            chunk = head.encoded.get();
        } catch (ExecutionException e) {
            free.add(head.slot);
            throw new IOException("encoding a chunk failed: " + e.getCause().getMessage(), e.getCause());
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                free.add(head.slot);
            }
        };
        try {
            sink.accept(chunk, release);
        } catch (IOException | RuntimeException e) {
            release.run();
            throw e;
        }
    }
}
