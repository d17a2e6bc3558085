package io.gpumigrate.device.cuda;

import java.util.Map;
import java.util.TreeMap;

/**
 * First-fit bookkeeping of the free ranges of a session's device address window
 * {@code [base, base + size)}, in units of the allocation granularity. Pure Java: it decides
 * addresses, the caller maps memory there.
 *
 * <p>Allocations take the lowest free range that fits, so a session that allocates the same
 * sizes in the same order gets the same addresses on any device with the same granularity.
 * Released ranges coalesce with their free neighbours.
 *
 * <p>Not thread-safe.
 */
final class AddressWindow {

    private final long base;
    private final long size;
    private final long granularity;
    /** Free ranges: start address to end address (exclusive), never adjacent, never overlapping. */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    private long freeBytes;

    /**
     * @param base        first address, a multiple of {@code granularity}
     * @param size        bytes, a positive multiple of {@code granularity}
     * @param granularity a power of two
     */
    AddressWindow(long base, long size, long granularity) {
        if (granularity <= 0 || Long.bitCount(granularity) != 1) {
            throw new IllegalArgumentException("granularity " + granularity + " is not a power of two");
        }
        if (size <= 0 || size % granularity != 0 || base % granularity != 0 || base < 0 || base + size < base) {
            throw new IllegalArgumentException(String.format(
                    "window 0x%x + %d must be non-empty, inside the address space and aligned to %d", base, size, granularity));
        }
        this.base = base;
        this.size = size;
        this.granularity = granularity;
        free.put(base, base + size);
        freeBytes = size;
    }

    long base() {
        return base;
    }

    long size() {
        return size;
    }

    long granularity() {
        return granularity;
    }

    long freeBytes() {
        return freeBytes;
    }

    /** {@code bytes} (> 0) rounded up to the granularity; -1 when that overflows. */
    long roundUp(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("allocation size " + bytes + " must be positive");
        }
        long rounded = (bytes + granularity - 1) & -granularity;
        return rounded <= 0 ? -1 : rounded;
    }

    /**
     * Takes the lowest free range of {@code bytes} (a positive multiple of the granularity).
     *
     * @return its address, or -1 when no free range is that large
     */
    long allocate(long bytes) {
        checkMultiple(bytes);
        for (Map.Entry<Long, Long> range : free.entrySet()) {
            long start = range.getKey();
            if (range.getValue() - start >= bytes) {
                take(start, range.getValue(), start, bytes);
                return start;
            }
        }
        return -1;
    }

    /**
     * Takes exactly {@code [address, address + bytes)}, as a restore that must reproduce a
     * session's addresses does.
     *
     * @return false when part of that range is outside the window or already taken
     */
    boolean allocateAt(long address, long bytes) {
        checkMultiple(bytes);
        if (address % granularity != 0) {
            throw new IllegalArgumentException(String.format("address 0x%x is not aligned to the granularity %d",
                    address, granularity));
        }
        Map.Entry<Long, Long> range = free.floorEntry(address);
        if (range == null || address + bytes < address || range.getValue() < address + bytes) {
            return false;
        }
        take(range.getKey(), range.getValue(), address, bytes);
        return true;
    }

    /**
     * Returns a range taken earlier.
     *
     * @throws IllegalStateException when any part of it is outside the window or already free
     */
    void release(long address, long bytes) {
        checkMultiple(bytes);
        long end = address + bytes;
        if (address < base || end > base + size || end < address) {
            throw new IllegalStateException(String.format("range 0x%x + %d is outside the window 0x%x + %d",
                    address, bytes, base, size));
        }
        Map.Entry<Long, Long> before = free.floorEntry(address);
        Map.Entry<Long, Long> after = free.ceilingEntry(address);
        if ((before != null && before.getValue() > address) || (after != null && after.getKey() < end)) {
            throw new IllegalStateException(String.format("range 0x%x + %d is already (partly) free", address, bytes));
        }
        long start = address;
        long stop = end;
        if (before != null && before.getValue() == address) {
            start = before.getKey();
            free.remove(start);
        }
        if (after != null && after.getKey() == end) {
            stop = after.getValue();
            free.remove(end);
        }
        free.put(start, stop);
        freeBytes += bytes;
    }

    /** The largest free range, in bytes (0 when the window is full). */
    long largestFree() {
        long largest = 0;
        for (Map.Entry<Long, Long> range : free.entrySet()) {
            largest = Math.max(largest, range.getValue() - range.getKey());
        }
        return largest;
    }

    private void take(long rangeStart, long rangeEnd, long address, long bytes) {
        free.remove(rangeStart);
        if (rangeStart < address) {
            free.put(rangeStart, address);
        }
        if (address + bytes < rangeEnd) {
            free.put(address + bytes, rangeEnd);
        }
        freeBytes -= bytes;
    }

    private void checkMultiple(long bytes) {
        if (bytes <= 0 || bytes % granularity != 0) {
            throw new IllegalArgumentException("size " + bytes + " must be a positive multiple of the granularity " + granularity);
        }
    }
}
