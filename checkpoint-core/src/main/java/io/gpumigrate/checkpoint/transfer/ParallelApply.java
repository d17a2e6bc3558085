package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ChunkCodec;
import io.gpumigrate.checkpoint.ChunkCorruptedException;
import io.gpumigrate.checkpoint.EncodedChunk;
import io.netty.buffer.ByteBuf;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The receiver's chunk work between two barriers (ALLOCATIONS, FINISH): each chunk is decoded,
 * hash-checked (or, where the target device digests what it holds, checked there at FINISH:
 * {@link TargetState#verify}) and written to the target device on a pool thread, several chunks at once
 * ({@link io.gpumigrate.device.DeviceBackend#copyHtoDConcurrently}), in any order. That is
 * safe because a round sends each chunk at most once, and a barrier's step starts only after
 * every chunk before it has been applied ({@link #drained}), and chunks after it only after
 * the step ({@code after}).
 *
 * <p>Thread-safe: {@link #submit} and {@link #drained} synchronize on this object.
 */
final class ParallelApply {

    /** What the session does with a chunk's outcome. */
    interface Outcome {
        /** Whether chunks should still be applied (the transfer has not failed). */
        boolean live();

        /** The chunk could not be decoded or applied: abort the transfer with {@code reason}. */
        void failed(String reason);

        /** The chunk is done with, applied or not: its buffers are free again. */
        void released();
    }

    private final ChunkCodec codec;
    private final ScratchPool scratches;
    private final TargetState state;
    private final Executor pool;
    private final Outcome outcome;
    /** Chunks submitted since the last barrier; each completes normally, failure or not. */
    private final List<CompletableFuture<Void>> pending = new ArrayList<>();
    /** Over the transfer, for the log: nanoseconds decoding and writing to the device, summed over threads. */
    private final LongAdder decodeNanos = new LongAdder();
    private final LongAdder writeNanos = new LongAdder();
    private final LongAdder applied = new LongAdder();
    /** nanoTime when the first chunk started and the last one ended. */
    private final AtomicLong firstStart = new AtomicLong();
    private final AtomicLong lastEnd = new AtomicLong();

    ParallelApply(ChunkCodec codec, ScratchPool scratches, TargetState state, Executor pool, Outcome outcome) {
        this.codec = codec;
        this.scratches = scratches;
        this.state = state;
        this.pool = pool;
        this.outcome = outcome;
    }

    /** Decodes and applies {@code c} on the pool once {@code after} (the last barrier's step) has completed. */
    synchronized void submit(TransferMessage.Chunk c, CompletableFuture<Void> after) {
        pending.add(after.handle((v, e) -> null).thenRunAsync(() -> apply(c), pool));
    }

    /**
     * {@code tail} and every chunk submitted so far, all completed (never exceptionally: failures
     * have gone to {@link Outcome#failed}); the chunks are forgotten.
     */
    synchronized CompletableFuture<Void> drained(CompletableFuture<Void> tail) {
        List<CompletableFuture<Void>> all = new ArrayList<>(pending);
        all.add(tail.handle((v, e) -> null));
        pending.clear();
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    private void apply(TransferMessage.Chunk c) {
        ScratchPool.Scratch scratch = scratches.take();
        try {
            if (outcome.live()) {
                long t0 = System.nanoTime();
                firstStart.compareAndSet(0, t0);
                MemorySegment raw = decode(c, scratch);
                long t1 = System.nanoTime();
                state.applyConcurrently(c.address(), c.rawLength(), c.encoding(), c.hash(), raw);
                long t2 = System.nanoTime();
                decodeNanos.add(t1 - t0);
                writeNanos.add(t2 - t1);
                applied.increment();
                lastEnd.accumulateAndGet(t2, Math::max);
            }
        } catch (Exception e) {
            outcome.failed(e.getMessage() != null ? e.getMessage() : e.toString());
        } finally {
            c.payload().release();
            scratches.giveBack(scratch);
            outcome.released();
        }
    }

    /**
     * For the log: the chunks applied over the transfer, the time spent decoding them and writing
     * them to the device (summed over the pool's threads), and from the first chunk's start to the
     * last one's end.
     */
    String times() {
        long first = firstStart.get();
        return applied.sum() + " chunks applied: decode " + FinishTimes.millis(decodeNanos.sum()) + " ms, device writes "
                + FinishTimes.millis(writeNanos.sum()) + " ms (summed over threads), first to last chunk "
                + FinishTimes.millis(first == 0 ? 0 : lastEnd.get() - first) + " ms";
    }

    /** The chunk's raw bytes: decompressed into the scratch, or its payload, copied to the (pinned) scratch. */
    private MemorySegment decode(TransferMessage.Chunk c, ScratchPool.Scratch scratch) throws ChunkCorruptedException {
        ByteBuf payload = c.payload();
        int n = payload.readableBytes();
        MemorySegment segment;
        if (n == 0) {
            segment = MemorySegment.NULL;
        } else if (!scratch.pinned && payload.nioBufferCount() == 1 && payload.nioBuffer().isDirect()) {
            segment = MemorySegment.ofBuffer(payload.nioBuffer()); // no DMA to gain: decode in place
        } else if (n <= scratch.payload().byteSize()) {
            segment = scratch.payload().asSlice(0, n);
            payload.getBytes(payload.readerIndex(), segment.asByteBuffer());
        } else {
            throw new ChunkCorruptedException(c.address(), "payload of " + n + " bytes exceeds the maximum "
                    + scratch.payload().byteSize());
        }
        EncodedChunk chunk = new EncodedChunk(c.address(), c.rawLength(), c.encoding(), c.hash(), segment);
        // a target whose device digests what it holds checks every chunk there at FINISH instead
        return state.verifiesOnDevice() ? codec.decodeUnchecked(chunk, scratch.raw()) : codec.decode(chunk, scratch.raw());
    }
}
