package io.gpumigrate.device.emulator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One range of emulated device memory: a {@code cuMemAlloc} allocation or a module global.
 *
 * <p>The bytes live off-heap in chunks of {@value #CHUNK_SIZE} bytes that are created, zeroed,
 * on their first write: a large allocation that is never touched costs no host memory, and a
 * read of an untouched chunk sees zeros, as freshly mapped device memory does.
 *
 * <p>Thread-safety: chunk creation is safe from several threads, so kernel workers (and a
 * migration target's apply threads) may write concurrently;
 * concurrent writes to the same bytes race as they do on a GPU. {@link #release()} must not
 * run concurrently with any access (the backend frees only between launches).
 */
public final class DeviceAllocation {

    /** log2 of the chunk size. */
    public static final int CHUNK_SHIFT = 20;
    public static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    static final long CHUNK_MASK = CHUNK_SIZE - 1;
    private static final java.lang.invoke.VarHandle CHUNKS =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(MemorySegment[].class);

    private final long base;
    private final long size;
    private final String label;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] chunks;
    private boolean released;

    DeviceAllocation(long base, long size, String label) {
        this.base = base;
        this.size = size;
        this.label = label;
        long count = (size + CHUNK_SIZE - 1) >>> CHUNK_SHIFT;
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("allocation of " + size + " bytes is too large to emulate");
        }
        this.chunks = new MemorySegment[(int) count];
    }

    /** First device address. */
    public long base() {
        return base;
    }

    /** Bytes requested (the usable size). */
    public long size() {
        return size;
    }

    /** One past the last device address. */
    public long end() {
        return base + size;
    }

    /** What the range holds: {@code null} for a plain allocation, else e.g. a module global's name. */
    public String label() {
        return label;
    }

    public boolean contains(long address, long length) {
        return address >= base && length >= 0 && address - base <= size - length;
    }

    /** The chunk holding byte {@code offset}, or {@code null} while it has never been written. */
    public MemorySegment chunkIfPresent(long offset) {
        return (MemorySegment) CHUNKS.getAcquire(chunks, (int) (offset >>> CHUNK_SHIFT));
    }

    /** The chunk holding byte {@code offset}, created zeroed if needed. */
    public MemorySegment chunkForWrite(long offset) {
        int index = (int) (offset >>> CHUNK_SHIFT);
        MemorySegment chunk = (MemorySegment) CHUNKS.getAcquire(chunks, index);
        return chunk != null ? chunk : createChunk(index);
    }

    /**
     * Allocates (zeroed) outside the lock, so that threads writing different chunks (a migration
     * target applying chunks in parallel) zero their memory at once; a thread that loses a race
     * for the same chunk leaves its segment unused until the allocation is released.
     */
    private MemorySegment createChunk(int index) {
        checkLive();
        long start = (long) index << CHUNK_SHIFT;
        MemorySegment fresh = arena.allocate(Math.min(CHUNK_SIZE, size - start), 16);
        synchronized (this) {
            checkLive();
            MemorySegment chunk = chunks[index];
            if (chunk != null) {
                return chunk;
            }
            CHUNKS.setRelease(chunks, index, fresh); // readers on other workers see it zeroed
            return fresh;
        }
    }

    private synchronized void checkLive() {
        if (released) {
            throw new IllegalStateException("allocation at 0x" + Long.toHexString(base) + " was freed");
        }
    }

    /** Copies {@code length} bytes from {@code src} at {@code srcOffset} into this allocation at {@code offset}. */
    public void write(long offset, MemorySegment src, long srcOffset, long length) {
        while (length > 0) {
            long inChunk = offset & CHUNK_MASK;
            long n = Math.min(length, CHUNK_SIZE - inChunk);
            MemorySegment.copy(src, srcOffset, chunkForWrite(offset), inChunk, n);
            offset += n;
            srcOffset += n;
            length -= n;
        }
    }

    /** Copies {@code length} bytes at {@code offset} into {@code dst} at {@code dstOffset}; untouched chunks read as zeros. */
    public void read(long offset, MemorySegment dst, long dstOffset, long length) {
        while (length > 0) {
            long inChunk = offset & CHUNK_MASK;
            long n = Math.min(length, CHUNK_SIZE - inChunk);
            MemorySegment chunk = chunkIfPresent(offset);
            if (chunk == null) {
                dst.asSlice(dstOffset, n).fill((byte) 0);
            } else {
                MemorySegment.copy(chunk, inChunk, dst, dstOffset, n);
            }
            offset += n;
            dstOffset += n;
            length -= n;
        }
    }

    /**
     * Fills {@code count} elements of {@code elementSize} (1, 2 or 4) bytes starting at
     * {@code offset} with the low bytes of {@code value}. Filling untouched chunks with zeros
     * leaves them untouched.
     */
    public void fill(long offset, int value, int elementSize, long count) {
        long length = count * elementSize;
        boolean zero = switch (elementSize) {
            case 1 -> (value & 0xFF) == 0;
            case 2 -> (value & 0xFFFF) == 0;
            default -> value == 0;
        };
        while (length > 0) {
            long inChunk = offset & CHUNK_MASK;
            long n = Math.min(length, CHUNK_SIZE - inChunk);
            MemorySegment chunk = zero ? chunkIfPresent(offset) : chunkForWrite(offset);
            if (chunk != null) {
                fillChunk(chunk.asSlice(inChunk, n), value, elementSize);
            }
            offset += n;
            length -= n;
        }
    }

    private static void fillChunk(MemorySegment target, int value, int elementSize) {
        byte b0 = (byte) value;
        boolean sameBytes = elementSize == 1
                || (elementSize == 2 && (byte) (value >>> 8) == b0)
                || (elementSize == 4 && value == (b0 & 0xFF) * 0x01010101);
        if (sameBytes) {
            target.fill(b0);
            return;
        }
        long n = target.byteSize();
        for (long i = 0; i < n; i += elementSize) {
            if (elementSize == 2) {
                target.set(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) value);
            } else {
                target.set(ValueLayout.JAVA_INT_UNALIGNED, i, value);
            }
        }
    }

    /** Returns the host memory; the allocation must not be used afterwards. */
    synchronized void release() {
        if (!released) {
            released = true;
            java.util.Arrays.fill(chunks, null);
            arena.close();
        }
    }

    @Override
    public String toString() {
        return (label == null ? "allocation" : label) + " [0x" + Long.toHexString(base) + ", 0x"
                + Long.toHexString(end()) + ") of " + size + " bytes";
    }
}
