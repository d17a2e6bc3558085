package io.gpumigrate.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * Host memory that takes a paused session's device memory so that a dump left running resumes
 * after the copies alone: its chunks are encoded and written from here once the session runs
 * again ({@link CheckpointWriter.Capture#seal}), instead of the pause lasting as long as zstd
 * and the file writes take. Allocated, its pages touched, before the pause. Each chunk comes
 * from the device through one of the encoder's (pinned) buffers and is copied on here by the
 * chunk pool, so the copies out of the device do not wait for one thread's {@code memcpy}.
 * Chunks beyond its size go the usual way, paced by the encoder.
 *
 * <p>Not thread-safe, except that the copies it starts run on the pool; one thread stages,
 * {@link #awaitCopies} waits for them, then one thread reads {@link #chunks}.
 */
public final class HostStaging implements AutoCloseable {

    /** A chunk held here: its address and length, its digest when the device gave one. */
    public record Chunk(long address, int length, boolean digestKnown, long digest, MemorySegment bytes) {
    }

    private static final HostStaging NONE = new HostStaging(null, MemorySegment.NULL, 1);
    /** Staged chunks start on page boundaries. */
    private static final long PAGE = 4096;

    private final Arena arena;
    private final MemorySegment memory;
    private final int chunkSize;
    private final List<Chunk> chunks = new ArrayList<>();
    private final List<CompletableFuture<Void>> copies = new ArrayList<>();
    private long used;

    private HostStaging(Arena arena, MemorySegment memory, int chunkSize) {
        this.arena = arena;
        this.memory = memory;
        this.chunkSize = chunkSize;
    }

    /** No staging: every chunk goes through the encoder in the pause. */
    public static HostStaging none() {
        return NONE;
    }

    /**
     * Host memory for {@code bytes} (rounded up to whole pages) of chunks of at most {@code
     * chunkSize} bytes, every page in place now so that none is first touched in the pause; the
     * pages are touched by {@code pool}'s threads ({@link PrefaultedMemory}). When the host does
     * not give that much, none: the dump then pauses as long as it did without.
     */
    public static HostStaging allocate(long bytes, int chunkSize, ExecutorService pool) {
        if (bytes <= 0) {
            return NONE;
        }
        Arena arena = Arena.ofShared();
        try {
            return new HostStaging(arena, PrefaultedMemory.allocate(pages(bytes), arena, pool), chunkSize);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            return NONE;
        }
    }

    /**
     * How much host memory a dump may stage by default: half of what the host has free, and no
     * more than a quarter of all it has, so that a dump never crowds the host's programs out.
     */
    public static long defaultLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, Math.min(os.getFreeMemorySize() / 2, os.getTotalMemorySize() / 4));
        }
        return 0;
    }

    /** Bytes it can hold. */
    public long capacity() {
        return memory.byteSize();
    }

    /** Bytes of device memory staged here so far. */
    public long stagedBytes() {
        return chunks.stream().mapToLong(Chunk::length).sum();
    }

    /** Whether a chunk of {@code length} bytes still fits. */
    boolean hasRoom(int length) {
        return length <= chunkSize && used + pages(length) <= memory.byteSize();
    }

    private static long pages(long bytes) {
        return (bytes + PAGE - 1) / PAGE * PAGE;
    }

    /**
     * Copies {@code from} (host memory, e.g. a buffer the device just filled) into this staging
     * on {@code pool}, then runs {@code done} (which may hand {@code from} back for reuse).
     * Call {@link #hasRoom} first.
     */
    void stage(MemorySegment from, long address, boolean digestKnown, long digest, Executor pool, Runnable done) {
        int length = Math.toIntExact(from.byteSize());
        MemorySegment to = memory.asSlice(used, length);
        used += pages(length);
        chunks.add(new Chunk(address, length, digestKnown, digest, to));
        copies.add(CompletableFuture.runAsync(() -> {
            try {
                MemorySegment.copy(from, 0, to, 0, length);
            } finally {
                done.run();
            }
        }, pool));
    }

    /** Waits until every copy started has ended. */
    void awaitCopies() {
        try {
            CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw new IllegalStateException("staging a chunk in host memory failed: " + e.getCause(), e.getCause());
        }
    }

    /** The chunks staged, in the order they were read. */
    List<Chunk> chunks() {
        return chunks;
    }

    /** Frees the memory; call once nothing reads it any more (every chunk written). Idempotent. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) {
            try {
                arena.close();
            } catch (IllegalStateException e) {
                // a write still holds it (it outlived its lane's shutdown): left to the process's end
            }
        }
    }
}
