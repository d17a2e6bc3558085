package io.gpumigrate.device.cuda;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Device memory placed by the backend itself with CUDA's virtual memory management, so that
 * another worker (on another GPU) can later map a session's allocations at the very same
 * addresses. At construction it reserves the session's address window with
 * {@code cuMemAddressReserve} at a fixed address and fails if the driver offers any other;
 * each allocation is then {@code cuMemCreate} (pinned device memory, rounded up to the
 * allocation granularity) + {@code cuMemMap} at the lowest free address of the window
 * ({@link AddressWindow}) + {@code cuMemSetAccess} (read-write for the device).
 *
 * <p>Not thread-safe: called on the session's thread with the context current.
 */
final class DeviceMemory implements AutoCloseable {

    /** One mapped allocation: {@code requested} bytes asked for, {@code mapped} bytes backed. */
    record Allocation(long base, long requested, long mapped, long handle) {
    }

    private final CudaDriver driver;
    private final AddressWindow window;
    private final MemorySegment prop;
    private final MemorySegment access;
    private final MemorySegment out;
    private final TreeMap<Long, Allocation> allocations = new TreeMap<>();
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
        return map(address, bytes, mapped);
    }

    /** Maps {@code bytes} at exactly {@code address}, a granularity-aligned address inside the window. */
    long allocAt(long address, long bytes) throws CudaException {
        long mapped = rounded(bytes);
        if (address % window.granularity() != 0) {
            throw new CudaException(CuResult.INVALID_VALUE, String.format(
                    "address 0x%x is not a multiple of the allocation granularity %d", address, window.granularity()));
        }
        if (!window.allocateAt(address, mapped)) {
            throw new CudaException(CuResult.INVALID_VALUE, String.format(
                    "range 0x%x + %d is outside the address window 0x%x + %d or overlaps an allocation",
                    address, mapped, window.base(), window.size()));
        }
        return map(address, bytes, mapped);
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

    private long map(long address, long requested, long mapped) throws CudaException {
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
        allocations.put(address, new Allocation(address, requested, mapped, handle));
        return address;
    }

    /**
     * Unmaps and releases the allocation at {@code base} and returns its range to the window.
     * The caller synchronizes first where work may still use it.
     */
    void free(long base) throws CudaException {
        Allocation a = allocations.get(base);
        if (a == null) {
            throw new CudaException(CuResult.INVALID_VALUE, String.format("0x%x is not the base of an allocation", base));
        }
        allocations.remove(base);
        int unmapped = driver.memUnmap(a.base(), a.mapped());
        int released = driver.memRelease(a.handle());
        if (unmapped == CuResult.SUCCESS) {
            window.release(a.base(), a.mapped());
        }
        driver.check(unmapped, String.format("cuMemUnmap(0x%x, %d bytes)", a.base(), a.mapped()));
        driver.check(released, "cuMemRelease");
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
        for (Allocation a : allocations.values()) {
            driver.memUnmap(a.base(), a.mapped());
            driver.memRelease(a.handle());
        }
        allocations.clear();
        if (reserved) {
            driver.memAddressFree(window.base(), window.size());
            reserved = false;
        }
    }
}
