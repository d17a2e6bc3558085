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
 * The receiver's decoding buffers, reused from chunk to chunk, and pinned on the target device
 * as they are first applied from: the apply executor's copy to the device is then a plain DMA
 * instead of a {@code memcpy} through staging, which would serialize on that one thread.
 *
 * <p>{@link #take} and {@link #giveBack} are thread-safe; {@link #pin} and {@link #unpinAll}
 * run on the apply executor (the target's thread) only.
 */
final class ScratchPool {

    /** Buffers of one chunk: the decompressed bytes, and a copy of its payload. */
    static final class Scratch {
        final MemorySegment raw;
        final MemorySegment payload;
        /** Registered with the target device; the apply executor's. */
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
    private volatile boolean copyToPinned;
    private volatile boolean refused;

    ScratchPool(DeviceBackend target, ChunkCodec codec) {
        this.target = target;
        this.codec = codec;
    }

    /** A free scratch, new when none is. */
    Scratch take() {
        Scratch s = free.poll();
        if (s != null) {
            return s;
        }
        Arena arena = Arena.ofAuto();
        return new Scratch(arena.allocate(codec.chunkSize(), 4096), arena.allocate(codec.maxEncodedLength(), 4096));
    }

    void giveBack(Scratch s) {
        free.add(s);
    }

    /**
     * True once the target pinned a scratch: decoding should then copy every payload into its
     * scratch (on a pool thread) rather than decode it where the socket left it.
     */
    boolean copyToPinned() {
        return copyToPinned;
    }

    /** Registers {@code s} with the target, once; best effort (a refusal only costs staging copies). */
    void pin(Scratch s) {
        if (s.pinned || refused) {
            return;
        }
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
            copyToPinned = true;
        } catch (CudaException | RuntimeException e) {
            refused = true;
        }
    }

    /** Unregisters every pinned scratch, once no chunk is applied any more; failures are ignored. */
    void unpinAll() {
        for (Scratch s : pinned) {
            try {
                target.unregisterHost(s.raw);
                target.unregisterHost(s.payload);
            } catch (CudaException | RuntimeException ignored) {
                // the backend drops its registrations when it closes
            }
            s.pinned = false;
        }
        pinned.clear();
    }
}
