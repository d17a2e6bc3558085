package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ChunkCodec;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The receiver's decoding buffers, reused from chunk to chunk. {@link #prepare} makes one per
 * apply thread up front and pins them on the target device ({@link DeviceBackend#registerHost}),
 * before the first chunk arrives: the copies from them to the device are then plain DMA on
 * every apply thread, instead of {@code memcpy}s through the driver's staging. Buffers made
 * later, when more are needed, are not pinned.
 *
 * <p>{@link #take} and {@link #giveBack} are thread-safe; {@link #prepare} and {@link #unpinAll}
 * call the backend's serial methods, so they run on the apply executor with no chunk in flight.
 */
final class ScratchPool {

    /** Buffers of one chunk: the decompressed bytes, and a copy of its payload. */
    static final class Scratch {
        final MemorySegment raw;
        final MemorySegment payload;
        /** Registered with the target device; changes only while no chunk is in flight. */
        boolean pinned;

        Scratch(MemorySegment raw, MemorySegment payload) {
            this.raw = raw;
            this.payload = payload;
        }

        MemorySegment raw() {
            return raw;
        }

        MemorySegment payload() {
            return payload;
        }
    }

    private final DeviceBackend target;
    private final ChunkCodec codec;
    private final ConcurrentLinkedQueue<Scratch> free = new ConcurrentLinkedQueue<>();
    private final List<Scratch> pinned = new ArrayList<>();

    ScratchPool(DeviceBackend target, ChunkCodec codec) {
        this.target = target;
        this.codec = codec;
    }

    /**
     * Makes {@code count} scratches and pins as many as the target accepts (best effort: a
     * refusal only costs staging copies). Returns how many were pinned.
     */
    int prepare(int count) {
        boolean refused = false;
        for (int i = 0; i < count; i++) {
            Scratch s = newScratch();
            if (!refused) {
                try {
                    target.registerHost(s.raw);
                    try {
                        target.registerHost(s.payload);
                    } catch (CudaException | RuntimeException e) {
                        target.unregisterHost(s.raw);
                        throw e;
                    }
                    s.pinned = true;
                    pinned.add(s);
                } catch (CudaException | RuntimeException e) {
                    refused = true;
                }
            }
            free.add(s);
        }
        return pinned.size();
    }

    /** A free scratch, pinned ones first; a new, unpinned one when none is free. */
    Scratch take() {
        Scratch s = free.poll();
        return s != null ? s : newScratch();
    }

    void giveBack(Scratch s) {
        free.add(s);
    }

    private Scratch newScratch() {
        Arena arena = Arena.ofAuto();
        return new Scratch(arena.allocate(codec.chunkSize(), 4096), arena.allocate(codec.maxEncodedLength(), 4096));
    }

    /** Unregisters every pinned scratch, once no chunk is applied any more; failures are ignored. */
    void unpinAll() {
        while (unpinOne()) {
            // each one in turn
        }
    }

    /**
     * Unregisters the pinned scratches one per task on {@code executor} (each task queues the
     * next), so that other work on that executor, a session's calls, waits for one at most:
     * unregistering pinned memory takes a while on a GPU. Call it on {@code executor}'s thread
     * order, once no chunk is applied any more.
     */
    void unpinStepwise(java.util.concurrent.Executor executor) {
        executor.execute(() -> {
            if (unpinOne()) {
                unpinStepwise(executor);
            }
        });
    }

    /** Unregisters one pinned scratch; returns whether any is left. */
    private boolean unpinOne() {
        if (pinned.isEmpty()) {
            return false;
        }
        Scratch s = pinned.remove(pinned.size() - 1);
        try {
            target.unregisterHost(s.raw);
            target.unregisterHost(s.payload);
        } catch (CudaException | RuntimeException ignored) {
            // the backend drops its registrations when it closes
        }
        s.pinned = false;
        return !pinned.isEmpty();
    }
}
