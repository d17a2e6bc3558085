package io.gpumigrate.device.cuda;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Device memory placed by the backend itself with CUDA's virtual memory management, so that
 * another worker (on another GPU) can later map a session's allocations at the very same
 * addresses. At construction it reserves the session's address window with
 * {@code cuMemAddressReserve} at a fixed address and fails if the driver offers any other.
 * Memory is mapped in granularity-aligned pieces ({@code cuMemCreate} of pinned device memory +
 * {@code cuMemMap} + {@code cuMemSetAccess} read-write for the device):
 * <ul>
 * <li>{@link #alloc} maps a new piece, rounded up to the granularity, at the lowest free address
 *     of the window ({@link AddressWindow});</li>
 * <li>{@link #allocAt} places an allocation at exactly the address asked for, aligned or not (a
 *     restore or a replay of memory placed by another device: the emulator packs allocations
 *     512 bytes apart). It maps the granules of its span that are not mapped yet and shares
 *     those already mapped by its neighbours; a piece is unmapped when the last allocation in it
 *     is freed.</li>
 * </ul>
 * Allocations never overlap, as the program asked for them; pieces are shared, never split.
 *
 * <p>Not thread-safe: called on the session's thread with the context current.
 */
final class DeviceMemory implements AutoCloseable {

    /** One allocation as the program asked for it: {@code requested} bytes from {@code base}. */
    record Allocation(long base, long requested) {
        long end() {
            return base + requested;
        }
    }

    /** A mapped, granularity-aligned piece of the window and how many allocations lie in it. */
    private static final class Piece {
        final long base;
        final long size;
        final long handle;
        int users;

        Piece(long base, long size, long handle) {
            this.base = base;
            this.size = size;
            this.handle = handle;
        }

        long end() {
            return base + size;
        }
    }

    private final CudaDriver driver;
    private final AddressWindow window;
    private final MemorySegment prop;
    private final MemorySegment access;
    private final MemorySegment out;
    private final TreeMap<Long, Allocation> allocations = new TreeMap<>();
    /** The pieces each allocation lies in, by the allocation's base. */
    private final Map<Long, List<Piece>> piecesOf = new HashMap<>();
    private final TreeMap<Long, Piece> pieces = new TreeMap<>();
    private boolean reserved;

    /**
     * Reserves {@code [windowBase, windowBase + windowSize)}; {@code windowSize} is rounded up
     * to the allocation granularity.
     *
     * @throws CudaException {@code CUDA_ERROR_INVALID_VALUE} for a base not aligned to the
     *                       granularity, {@code CUDA_ERROR_OUT_OF_MEMORY} when the window cannot
     *                       be reserved at exactly that address
     */
    DeviceMemory(CudaDriver driver, int ordinal, long windowBase, long windowSize, Arena arena) throws CudaException {
        this.driver = driver;
        this.prop = VmmStructs.pinnedDeviceProp(arena, ordinal);
        this.access = VmmStructs.readWriteAccess(arena, ordinal);
        this.out = arena.allocate(JAVA_LONG, 2);
        driver.check(driver.memGetAllocationGranularity(out, prop, VmmStructs.GRANULARITY_MINIMUM),
                "cuMemGetAllocationGranularity(device " + ordinal + ")");
        long granularity = out.get(JAVA_LONG, 0);
        if (windowBase <= 0 || windowBase % granularity != 0 || windowSize <= 0) {
            throw new CudaException(CuResult.INVALID_VALUE, String.format(
                    "address window 0x%x + %d: the base must be a positive multiple of the allocation granularity %d"
                            + " and the size positive", windowBase, windowSize, granularity));
        }
        long size = (windowSize + granularity - 1) / granularity * granularity;
        this.window = new AddressWindow(windowBase, size, granularity);
        reserve(windowBase, size);
    }

    private void reserve(long base, long size) throws CudaException {
        String what = String.format("cuMemAddressReserve(0x%x + %d bytes)", base, size);
        driver.check(driver.memAddressReserve(out, size, 0, base, 0), what);
        long granted = out.get(JAVA_LONG, 0);
        if (granted != base) {
            driver.memAddressFree(granted, size);
            throw new CudaException(CuResult.OUT_OF_MEMORY, String.format(
                    "%s: the session's address window is not available in this process (the driver offered 0x%x)",
                    what, granted));
        }
        reserved = true;
    }

    long windowBase() {
        return window.base();
    }

    long windowSize() {
        return window.size();
    }

    long granularity() {
        return window.granularity();
    }

    /** Maps {@code bytes} at the lowest free address of the window. */
    long alloc(long bytes) throws CudaException {
        long mapped = rounded(bytes);
        long address = window.allocate(mapped);
        if (address < 0) {
            throw new CudaException(CuResult.OUT_OF_MEMORY, String.format(
                    "the address window 0x%x + %d has no free range of %d bytes (largest free: %d)",
                    window.base(), window.size(), mapped, window.largestFree()));
        }
        Piece piece = map(address, mapped);
        record(new Allocation(address, bytes), List.of(piece));
        return address;
    }

    /**
     * Places {@code bytes} at exactly {@code address} inside the window, sharing the granules
     * its neighbours mapped already.
     *
     * @throws CudaException {@code CUDA_ERROR_INVALID_VALUE} when the range leaves the window or
     *                       overlaps an allocation
     */
    long allocAt(long address, long bytes) throws CudaException {
        rounded(bytes);
        long end = address + bytes;
        long g = window.granularity();
        if (address < window.base() || end < address || end > window.base() + window.size()) {
            throw new CudaException(CuResult.INVALID_VALUE, String.format(
                    "range 0x%x + %d is outside the address window 0x%x + %d", address, bytes, window.base(),
                    window.size()));
        }
        Map.Entry<Long, Allocation> below = allocations.lowerEntry(end);
        if (below != null && below.getValue().end() > address) {
            throw new CudaException(CuResult.INVALID_VALUE, String.format(
                    "range 0x%x + %d overlaps the allocation 0x%x + %d", address, bytes, below.getKey(),
                    below.getValue().requested()));
        }
        long spanStart = Math.floorDiv(address, g) * g;
        long spanEnd = window.roundUp(end - spanStart) + spanStart;
        List<Piece> used = new ArrayList<>();
        List<Piece> added = new ArrayList<>();
        try {
            for (long at = spanStart; at < spanEnd; ) {
                Map.Entry<Long, Piece> e = pieces.floorEntry(at);
                if (e != null && e.getValue().end() > at) {
                    used.add(e.getValue());
                    at = e.getValue().end();
                    continue;
                }
                Long next = pieces.higherKey(at);
                long gapEnd = next == null ? spanEnd : Math.min(spanEnd, next);
                if (!window.allocateAt(at, gapEnd - at)) {
                    throw new CudaException(CuResult.INVALID_VALUE, String.format(
                            "range 0x%x + %d cannot be mapped inside the address window 0x%x + %d", at, gapEnd - at,
                            window.base(), window.size()));
                }
                Piece piece = map(at, gapEnd - at);
                added.add(piece);
                used.add(piece);
                at = gapEnd;
            }
        } catch (CudaException | RuntimeException e) {
            for (Piece p : added) {
                unmap(p);
            }
            throw e;
        }
        record(new Allocation(address, bytes), used);
        return address;
    }

    private long rounded(long bytes) throws CudaException {
        if (bytes <= 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "allocation size " + bytes + " must be positive");
        }
        long mapped = window.roundUp(bytes);
        if (mapped < 0 || mapped > window.size()) {
            throw new CudaException(CuResult.OUT_OF_MEMORY, String.format(
                    "allocation of %d bytes exceeds the address window of %d bytes", bytes, window.size()));
        }
        return mapped;
    }

    private void record(Allocation a, List<Piece> in) {
        for (Piece p : in) {
            p.users++;
        }
        allocations.put(a.base(), a);
        piecesOf.put(a.base(), in);
    }

    /** Maps a new piece at {@code address}, whose window range the caller has taken; gives the range back on failure. */
    private Piece map(long address, long mapped) throws CudaException {
        int rc = driver.memCreate(out, mapped, prop, 0);
        if (rc != CuResult.SUCCESS) {
            window.release(address, mapped);
            throw driver.error(rc, "cuMemCreate(" + mapped + " bytes)");
        }
        long handle = out.get(JAVA_LONG, 0);
        rc = driver.memMap(address, mapped, 0, handle, 0);
        if (rc != CuResult.SUCCESS) {
            driver.memRelease(handle);
            window.release(address, mapped);
            throw driver.error(rc, String.format("cuMemMap(0x%x, %d bytes)", address, mapped));
        }
        rc = driver.memSetAccess(address, mapped, access, 1);
        if (rc != CuResult.SUCCESS) {
            driver.memUnmap(address, mapped);
            driver.memRelease(handle);
            window.release(address, mapped);
            throw driver.error(rc, String.format("cuMemSetAccess(0x%x, %d bytes)", address, mapped));
        }
        Piece piece = new Piece(address, mapped, handle);
        pieces.put(address, piece);
        return piece;
    }

    /** Unmaps and releases {@code p} and gives its range back to the window; returns the first failure's code. */
    private int unmap(Piece p) {
        pieces.remove(p.base);
        int unmapped = driver.memUnmap(p.base, p.size);
        int released = driver.memRelease(p.handle);
        if (unmapped == CuResult.SUCCESS) {
            window.release(p.base, p.size);
        }
        return unmapped != CuResult.SUCCESS ? unmapped : released;
    }

    /**
     * Frees the allocation at {@code base}: unmaps and releases the pieces no other allocation
     * lies in, and returns their ranges to the window. The caller synchronizes first where work
     * may still use it.
     */
    void free(long base) throws CudaException {
        Allocation a = allocations.remove(base);
        if (a == null) {
            throw new CudaException(CuResult.INVALID_VALUE, String.format("0x%x is not the base of an allocation", base));
        }
        int failure = CuResult.SUCCESS;
        Piece failed = null;
        for (Piece p : piecesOf.remove(base)) {
            if (--p.users == 0) {
                int rc = unmap(p);
                if (rc != CuResult.SUCCESS && failure == CuResult.SUCCESS) {
                    failure = rc;
                    failed = p;
                }
            }
        }
        if (failed != null) {
            driver.check(failure, String.format("unmapping 0x%x, %d bytes", failed.base, failed.size));
        }
    }

    /** The allocation containing {@code address}, or null. */
    Allocation find(long address) {
        Map.Entry<Long, Allocation> e = allocations.floorEntry(address);
        return e != null && address - e.getKey() < e.getValue().requested() ? e.getValue() : null;
    }

    /** The allocation's range as the program asked for it (requested size), or null. */
    AddressRange range(long address) {
        Allocation a = find(address);
        return a == null ? null : new AddressRange(a.base(), a.requested());
    }

    /** Every live allocation, in address order. */
    List<Allocation> allocations() {
        return new ArrayList<>(allocations.values());
    }

    /** Unmaps and releases everything, then the reservation; failures are collected, not thrown. */
    @Override
    public void close() {
        for (Piece p : new ArrayList<>(pieces.values())) {
            unmap(p);
        }
        allocations.clear();
        piecesOf.clear();
        if (reserved) {
            driver.memAddressFree(window.base(), window.size());
            reserved = false;
        }
    }
}
