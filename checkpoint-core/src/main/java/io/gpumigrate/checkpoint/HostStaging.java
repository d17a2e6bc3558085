package io.gpumigrate.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

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

    private static final HostStaging NONE = new HostStaging(null, List.of(), 1);
    /** Staged chunks start on page boundaries. */
    private static final long PAGE = 4096;
    /** Bytes of each piece of the staging, allocated (and zero-filled) by one thread of the pool. */
    private static final long PIECE = 64L << 20;

    private final Arena arena;
    /** The memory, in pieces; a chunk lies within one. */
    private final List<MemorySegment> pieces;
    private final long capacity;
    private final int chunkSize;
    private final List<Chunk> chunks = new ArrayList<>();
    private final List<CompletableFuture<Void>> copies = new ArrayList<>();
    /** The piece chunks go into now, and the bytes of it taken. */
    private int piece;
    private long used;

    private HostStaging(Arena arena, List<MemorySegment> pieces, int chunkSize) {
        this.arena = arena;
        this.pieces = pieces;
        this.capacity = pieces.stream().mapToLong(MemorySegment::byteSize).sum();
        this.chunkSize = chunkSize;
    }

    /** No staging: every chunk goes through the encoder in the pause. */
    public static HostStaging none() {
        return NONE;
    }

    /**
     * Host memory for {@code bytes} (rounded up to whole pages) of chunks of at most {@code
     * chunkSize} bytes, zero-filled now so that no page is first touched in the pause. The
     * pieces are allocated on {@code pool}, several at once: one thread fills a few GB/s, and
     * the staging of a large session is tens of GiB. What the host refuses is left out: a
     * smaller staging (none at worst) only means a longer pause.
     */
    public static HostStaging allocate(long bytes, int chunkSize, ExecutorService pool) {
        return allocate(bytes, chunkSize, pool, PIECE);
    }

    /** {@link #allocate(long, int, ExecutorService)} in pieces of about {@code piece} bytes (whole chunks, one at least). */
    static HostStaging allocate(long bytes, int chunkSize, ExecutorService pool, long piece) {
        if (bytes <= 0) {
            return NONE;
        }
        Arena arena = Arena.ofShared();
        long total = pages(bytes);
        long pieceSize = Math.max(1, piece / pages(chunkSize)) * pages(chunkSize); // whole chunks per piece
        List<Future<MemorySegment>> allocations = new ArrayList<>();
        for (long offset = 0; offset < total; offset += pieceSize) {
            long size = Math.min(pieceSize, total - offset);
            allocations.add(pool.submit(() -> arena.allocate(size, PAGE)));
        }
        List<MemorySegment> pieces = new ArrayList<>();
        for (Future<MemorySegment> f : allocations) {
            try {
                pieces.add(f.get());
            } catch (ExecutionException e) {
                // no memory to spare for this piece: its chunks go through the encoder in the pause
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                allocations.forEach(a -> a.cancel(false));
                waitForAll(allocations);
                arena.close();
                return NONE;
            }
        }
        if (pieces.isEmpty()) {
            arena.close();
            return NONE;
        }
        return new HostStaging(arena, List.copyOf(pieces), chunkSize);
    }

    /** Waits (uninterruptibly) until none of {@code futures} still runs, so that their arena may close. */
    private static void waitForAll(List<Future<MemorySegment>> futures) {
        for (Future<MemorySegment> f : futures) {
            boolean interrupted = false;
            while (!f.isDone()) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                    break;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
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
        return capacity;
    }

    /** Bytes of device memory staged here so far. */
    public long stagedBytes() {
        return chunks.stream().mapToLong(Chunk::length).sum();
    }

    /** Whether a chunk of {@code length} bytes still fits. */
    boolean hasRoom(int length) {
        if (length > chunkSize || piece >= pieces.size()) {
            return false;
        }
        long needed = pages(length);
        return used + needed <= pieces.get(piece).byteSize()
                || piece + 1 < pieces.size() && needed <= pieces.get(piece + 1).byteSize();
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
        if (used + pages(length) > pieces.get(piece).byteSize()) {
            piece++;
            used = 0;
        }
        MemorySegment to = pieces.get(piece).asSlice(used, length);
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
