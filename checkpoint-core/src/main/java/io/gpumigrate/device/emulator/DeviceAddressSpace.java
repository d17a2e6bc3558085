package io.gpumigrate.device.emulator;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The emulated device's virtual address space: where allocations and module globals live.
 *
 * <p>Addresses start at {@value #WINDOW_BASE_HEX}, the window the CUDA backend reserves, so
 * pointers look the same on both backends. Allocations are placed first-fit, aligned to
 * {@value #ALIGNMENT} bytes, each followed by a guard gap of at least {@value #GUARD} bytes
 * that belongs to nothing: an access just past the end of an allocation lands in the gap and
 * is reported instead of silently hitting a neighbour.
 *
 * <p>Thread-safety: {@link #allocate} and {@link #free} are called from the session's thread;
 * {@link #find} reads an immutable snapshot and may be called from any thread (kernel workers).
 */
public final class DeviceAddressSpace {

    public static final long WINDOW_BASE = 0x2000_0000_0000L;
    static final String WINDOW_BASE_HEX = "0x200000000000";
    /**
     * Where module globals go: 1 TiB above {@link #WINDOW_BASE}, outside the session window that
     * allocations fill from its base, as the CUDA driver places globals outside the reserved
     * window. So a migration target can load a session's modules before it has placed every
     * allocation at its address.
     */
    public static final long GLOBALS_BASE = WINDOW_BASE + (1L << 40);

    /** Alignment of every allocation's base. */
    public static final long ALIGNMENT = 512;
    static final long GUARD = 512;
    private static final long LARGE = 2L << 20;

    private final long capacity;
    private final long globalsBase;
    private long used;
    /** Sorted by base; replaced, never mutated, so readers need no lock. */
    private volatile DeviceAllocation[] sorted = new DeviceAllocation[0];

    /** @param capacity bytes of device memory that allocations may use in total */
    public DeviceAddressSpace(long capacity) {
        this(capacity, GLOBALS_BASE);
    }

    /**
     * @param capacity    bytes of device memory that allocations may use in total
     * @param globalsBase where module globals are placed from: {@value #ALIGNMENT}-aligned, at or
     *                    above {@link #GLOBALS_BASE} (tests use another base to stand for a device
     *                    that places a session's globals elsewhere after a migration)
     */
    public DeviceAddressSpace(long capacity, long globalsBase) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        if (Long.compareUnsigned(globalsBase, GLOBALS_BASE) < 0 || (globalsBase & (ALIGNMENT - 1)) != 0) {
            throw new IllegalArgumentException("globals base 0x" + Long.toHexString(globalsBase) + " is not a "
                    + ALIGNMENT + "-aligned address at or above 0x" + Long.toHexString(GLOBALS_BASE));
        }
        this.capacity = capacity;
        this.globalsBase = globalsBase;
    }

    public long capacity() {
        return capacity;
    }

    public long used() {
        return used;
    }

    /** Places a new range of {@code bytes} (> 0); {@code label} names a module global, null for plain memory. */
    public DeviceAllocation allocate(long bytes, String label) throws CudaException {
        if (bytes <= 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "allocation size must be positive, was " + bytes);
        }
        long charged = roundUp(bytes, ALIGNMENT);
        if (charged > capacity - used) {
            throw new CudaException(CuResult.OUT_OF_MEMORY, "cannot allocate " + bytes + " bytes: "
                    + (capacity - used) + " of " + capacity + " bytes free");
        }
        long align = bytes >= LARGE ? LARGE : ALIGNMENT;
        DeviceAllocation[] current = sorted;
        long candidate = label == null ? WINDOW_BASE : globalsBase;
        int insertAt = current.length;
        for (int i = 0; i < current.length; i++) {
            if (current[i].end() + GUARD <= candidate) {
                continue; // below where this kind of range starts
            }
            long start = roundUp(candidate, align);
            if (start + charged + GUARD <= current[i].base()) {
                insertAt = i;
                break;
            }
            candidate = Math.max(candidate, current[i].end() + GUARD);
        }
        long base = roundUp(candidate, align);
        DeviceAllocation allocation = new DeviceAllocation(base, bytes, label);
        DeviceAllocation[] next = new DeviceAllocation[current.length + 1];
        System.arraycopy(current, 0, next, 0, insertAt);
        next[insertAt] = allocation;
        System.arraycopy(current, insertAt, next, insertAt + 1, current.length - insertAt);
        sorted = next;
        used += charged;
        return allocation;
    }

    /**
     * Places a plain allocation at exactly {@code base} (a restore re-creating a session's
     * allocations at the addresses its pointers hold). {@code CUDA_ERROR_INVALID_VALUE} when the
     * address is not {@value #ALIGNMENT}-aligned, lies below the window, or overlaps a live range.
     */
    public DeviceAllocation allocateAt(long base, long bytes) throws CudaException {
        return allocateAt(base, bytes, null);
    }

    /**
     * As {@link #allocateAt(long, long)}, for a range that {@code label} names: a module's globals
     * placed where a restore found them ({@code label} non-null), or plain memory (null).
     */
    public DeviceAllocation allocateAt(long base, long bytes, String label) throws CudaException {
        if (bytes <= 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "allocation size must be positive, was " + bytes);
        }
        if (base < WINDOW_BASE || (base & (ALIGNMENT - 1)) != 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "0x" + Long.toHexString(base) + " is not a "
                    + ALIGNMENT + "-aligned address at or above " + WINDOW_BASE_HEX);
        }
        long charged = roundUp(bytes, ALIGNMENT);
        if (charged > capacity - used) {
            throw new CudaException(CuResult.OUT_OF_MEMORY, "cannot allocate " + bytes + " bytes: "
                    + (capacity - used) + " of " + capacity + " bytes free");
        }
        DeviceAllocation[] current = sorted;
        int insertAt = indexOf(current, base) + 1;
        if (insertAt > 0 && current[insertAt - 1].end() > base
                || insertAt < current.length && current[insertAt].base() < base + bytes) {
            throw new CudaException(CuResult.INVALID_VALUE, "[0x" + Long.toHexString(base) + ", +" + bytes
                    + ") overlaps a live allocation" + nearestHint(base));
        }
        DeviceAllocation allocation = new DeviceAllocation(base, bytes, label);
        DeviceAllocation[] next = new DeviceAllocation[current.length + 1];
        System.arraycopy(current, 0, next, 0, insertAt);
        next[insertAt] = allocation;
        System.arraycopy(current, insertAt, next, insertAt + 1, current.length - insertAt);
        sorted = next;
        used += charged;
        return allocation;
    }

    /** Frees the range whose base is {@code base}; {@code CUDA_ERROR_INVALID_VALUE} for any other address. */
    public void free(long base) throws CudaException {
        DeviceAllocation[] current = sorted;
        int i = indexOf(current, base);
        if (i < 0 || current[i].base() != base || current[i].label() != null) {
            throw new CudaException(CuResult.INVALID_VALUE,
                    "0x" + Long.toHexString(base) + " is not the base of an allocation");
        }
        remove(current, i);
    }

    /** Removes a module global's range. */
    void release(DeviceAllocation allocation) {
        DeviceAllocation[] current = sorted;
        int i = indexOf(current, allocation.base());
        if (i >= 0 && current[i] == allocation) {
            remove(current, i);
        }
    }

    private void remove(DeviceAllocation[] current, int i) {
        DeviceAllocation gone = current[i];
        DeviceAllocation[] next = new DeviceAllocation[current.length - 1];
        System.arraycopy(current, 0, next, 0, i);
        System.arraycopy(current, i + 1, next, i, current.length - i - 1);
        sorted = next;
        used -= roundUp(gone.size(), ALIGNMENT);
        gone.release();
    }

    /** The range containing {@code address}, or {@code null}. Thread-safe. */
    public DeviceAllocation find(long address) {
        DeviceAllocation[] current = sorted;
        int i = indexOf(current, address);
        if (i >= 0 && current[i].contains(address, 1)) {
            return current[i];
        }
        return null;
    }

    /** The range whose bytes lie closest to {@code address}, or {@code null} when there is none. Thread-safe. */
    public DeviceAllocation nearest(long address) {
        DeviceAllocation[] current = sorted;
        int i = indexOf(current, address);
        DeviceAllocation below = i >= 0 ? current[i] : null;
        DeviceAllocation above = i + 1 < current.length ? current[i + 1] : null;
        if (below == null) {
            return above;
        }
        if (above == null) {
            return below;
        }
        long distBelow = address - (below.end() - 1);
        long distAbove = above.base() - address;
        return distBelow <= distAbove ? below : above;
    }

    /** The range that holds all of {@code [address, address + length)}, else {@code CUDA_ERROR_INVALID_VALUE}. */
    public DeviceAllocation require(long address, long length, String what) throws CudaException {
        if (length < 0) {
            throw new CudaException(CuResult.INVALID_VALUE, what + ": negative length " + length);
        }
        DeviceAllocation allocation = find(address);
        if (allocation == null) {
            throw new CudaException(CuResult.INVALID_VALUE, what + ": 0x" + Long.toHexString(address)
                    + " is not inside any allocation" + nearestHint(address));
        }
        if (!allocation.contains(address, length)) {
            throw new CudaException(CuResult.INVALID_VALUE, what + ": [0x" + Long.toHexString(address) + ", +"
                    + length + ") leaves " + allocation + " by " + (address + length - allocation.end()) + " bytes");
        }
        return allocation;
    }

    String nearestHint(long address) {
        DeviceAllocation n = nearest(address);
        return n == null ? " (no allocations)" : " (nearest: " + n + ")";
    }

    /** Every live range, in address order. */
    public List<DeviceAllocation> allocations() {
        return List.of(sorted);
    }

    /** Frees every range. */
    void clear() {
        DeviceAllocation[] current = sorted;
        sorted = new DeviceAllocation[0];
        used = 0;
        for (DeviceAllocation a : current) {
            a.release();
        }
    }

    /** Index of the last range whose base is <= address, or -1. */
    private static int indexOf(DeviceAllocation[] current, long address) {
        int lo = 0;
        int hi = current.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (current[mid].base() <= address) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return lo - 1;
    }

    static long roundUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (DeviceAllocation a : sorted) {
            parts.add(a.toString());
        }
        return "DeviceAddressSpace" + Arrays.toString(parts.toArray());
    }
}
