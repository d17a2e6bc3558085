package io.gpumigrate.checkpoint;

import io.gpumigrate.device.AddressRange;

/**
 * How an allocation is cut into chunks: chunk {@code i} starts {@code i * chunkSize} bytes
 * into it, and the last chunk is shorter when the size is not a multiple of the chunk size.
 */
public final class ChunkLayout {

    private ChunkLayout() {
    }

    /** Chunks of an allocation. */
    public static int count(AddressRange allocation, int chunkSize) {
        return Math.toIntExact((allocation.size() + chunkSize - 1) / chunkSize);
    }

    /** The device address of chunk {@code index}. */
    public static long address(AddressRange allocation, int chunkSize, int index) {
        return allocation.base() + (long) index * chunkSize;
    }

    /** Bytes of chunk {@code index}. */
    public static int length(AddressRange allocation, int chunkSize, int index) {
        return (int) Math.min(chunkSize, allocation.size() - (long) index * chunkSize);
    }

    /**
     * The index of the chunk starting at {@code address}, or -1 when no chunk of the allocation starts there.
     */
    public static int indexOf(AddressRange allocation, int chunkSize, long address) {
        long offset = address - allocation.base();
        if (offset < 0 || offset >= allocation.size() || offset % chunkSize != 0) {
            return -1;
        }
        return (int) (offset / chunkSize);
    }
}
