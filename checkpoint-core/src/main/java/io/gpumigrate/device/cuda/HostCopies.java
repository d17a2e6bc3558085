package io.gpumigrate.device.cuda;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Host-to-device and device-to-host copies between any {@link MemorySegment} (heap arrays,
 * Netty direct buffers, mapped files) and device memory, stream-ordered.
 *
 * <p>Pageable memory goes through a ring of pinned staging buffers ({@code cuMemHostAlloc}),
 * each guarded by an event recorded after the DMA that uses it: while the copy engine moves
 * chunk {@code i}, the host fills (HtoD) or drains (DtoH) chunk {@code i - 1}, so a large copy
 * runs at the speed of the slower of host {@code memcpy} and DMA. A segment that lies inside
 * host memory registered with {@link #register} is already pinned and is copied directly.
 *
 * <pre>
 *  HtoD:  host  | fill 0 | fill 1 | fill 2 | fill 3 | fill 0' ...  (waits for DMA 0 first)
 *         DMA            | DMA 0  | DMA 1  | DMA 2  | DMA 3 ...
 * </pre>
 *
 * <p>Not thread-safe: called on the session's thread with the context current.
 */
final class HostCopies implements AutoCloseable {

    /** {@code CU_EVENT_DISABLE_TIMING}: the cheapest event to record and wait for. */
    private static final int EVENT_DISABLE_TIMING = 2;

    private final CudaDriver driver;
    private final long chunkBytes;
    private final MemorySegment[] buffers;
    private final long[] events;
    private final boolean[] pending;
    /** Buffers that a device-to-host copy has filled (or is filling) and not yet copied out. */
    private final boolean[] holding;
    private final long directEvent;
    private final MemorySegment out;
    /** Registered host ranges: start address to end address (exclusive). */
    private final TreeMap<Long, Long> registered = new TreeMap<>();
    private int next;

    /**
     * Allocates {@code bufferCount} pinned buffers of {@code chunkBytes} each.
     *
     * @throws CudaException when pinned memory or events cannot be created; whatever was
     *                       created is freed again
     */
    HostCopies(CudaDriver driver, int bufferCount, long chunkBytes, Arena arena) throws CudaException {
        if (bufferCount < 2 || chunkBytes <= 0) {
            throw new IllegalArgumentException("need at least 2 staging buffers of positive size, got "
                    + bufferCount + " x " + chunkBytes);
        }
        this.driver = driver;
        this.chunkBytes = chunkBytes;
        this.buffers = new MemorySegment[bufferCount];
        this.events = new long[bufferCount];
        this.pending = new boolean[bufferCount];
        this.holding = new boolean[bufferCount];
        this.out = arena.allocate(JAVA_LONG);
        try {
            for (int i = 0; i < bufferCount; i++) {
                driver.check(driver.memHostAlloc(out, chunkBytes, 0), "cuMemHostAlloc(" + chunkBytes + " bytes)");
                buffers[i] = out.get(ADDRESS, 0).reinterpret(chunkBytes);
                events[i] = newEvent();
            }
            directEvent = newEvent();
        } catch (CudaException e) {
            close();
            throw e;
        }
    }

    private long newEvent() throws CudaException {
        driver.check(driver.eventCreate(out, EVENT_DISABLE_TIMING), "cuEventCreate");
        return out.get(JAVA_LONG, 0);
    }

    /**
     * Copies {@code src} to device address {@code dst} on {@code stream}. When this returns,
     * {@code src} has been read (the DMA of the last chunk may still be in flight, from a
     * staging buffer).
     */
    void toDevice(long dst, MemorySegment src, long stream) throws CudaException {
        long total = src.byteSize();
        if (isRegistered(src)) {
            driver.check(driver.memcpyHtoDAsync(dst, src, total, stream), "cuMemcpyHtoDAsync");
            awaitDirect(stream);
            return;
        }
        for (long done = 0; done < total; ) {
            int slot = claim();
            long length = Math.min(chunkBytes, total - done);
            MemorySegment.copy(src, done, buffers[slot], 0, length);
            driver.check(driver.memcpyHtoDAsync(dst + done, buffers[slot], length, stream),
                    String.format("cuMemcpyHtoDAsync(0x%x, %d bytes)", dst + done, length));
            recordUse(slot, stream);
            done += length;
        }
    }

    /**
     * Copies {@code dst.byteSize()} bytes from device address {@code src} into {@code dst},
     * after earlier work on {@code stream}. Blocking: returns when {@code dst} holds the data.
     */
    void toHost(MemorySegment dst, long src, long stream) throws CudaException {
        long total = dst.byteSize();
        if (isRegistered(dst)) {
            driver.check(driver.memcpyDtoHAsync(dst, src, total, stream), "cuMemcpyDtoHAsync");
            awaitDirect(stream);
            return;
        }
        int ring = buffers.length;
        long chunks = (total + chunkBytes - 1) / chunkBytes;
        int[] slots = new int[ring];
        try {
            // Keep up to `ring` DMAs in flight; drain them in order, refilling each drained buffer.
            for (long issued = 0, drained = 0; drained < chunks; drained++) {
                while (issued < chunks && issued < drained + ring) {
                    int slot = claim();
                    slots[(int) (issued % ring)] = slot;
                    long offset = issued * chunkBytes;
                    long length = Math.min(chunkBytes, total - offset);
                    driver.check(driver.memcpyDtoHAsync(buffers[slot], src + offset, length, stream),
                            String.format("cuMemcpyDtoHAsync(0x%x, %d bytes)", src + offset, length));
                    recordUse(slot, stream);
                    holding[slot] = true;
                    issued++;
                }
                int slot = slots[(int) (drained % ring)];
                awaitSlot(slot);
                long offset = drained * chunkBytes;
                MemorySegment.copy(buffers[slot], 0, dst, offset, Math.min(chunkBytes, total - offset));
                holding[slot] = false;
            }
        } finally {
            Arrays.fill(holding, false);
        }
    }

    /**
     * A staging buffer whose last DMA has finished and that holds no device data still to be
     * drained: the next in ring order if it is free, else any other free one, else the first
     * such buffer after waiting for its DMA. Preferring a free buffer keeps a copy on one stream
     * from waiting for a buffer still queued behind work on another.
     */
    private int claim() throws CudaException {
        int fallback = -1;
        for (int i = 0; i < buffers.length; i++) {
            int slot = (next + i) % buffers.length;
            if (holding[slot]) {
                continue;
            }
            if (isFree(slot)) {
                next = (slot + 1) % buffers.length;
                return slot;
            }
            if (fallback < 0) {
                fallback = slot;
            }
        }
        if (fallback < 0) {
            throw new IllegalStateException("every staging buffer holds data not yet copied out");
        }
        next = (fallback + 1) % buffers.length;
        awaitSlot(fallback);
        return fallback;
    }

    private boolean isFree(int slot) throws CudaException {
        if (!pending[slot]) {
            return true;
        }
        int rc = driver.eventQuery(events[slot]);
        if (rc == CuResult.NOT_READY) {
            return false;
        }
        pending[slot] = false;
        driver.check(rc, "cuEventQuery(staging buffer " + slot + ")");
        return true;
    }

    private void awaitSlot(int slot) throws CudaException {
        if (pending[slot]) {
            pending[slot] = false;
            driver.check(driver.eventSynchronize(events[slot]), "cuEventSynchronize(staging buffer " + slot + ")");
        }
    }

    private void recordUse(int slot, long stream) throws CudaException {
        driver.check(driver.eventRecord(events[slot], stream), "cuEventRecord(staging buffer " + slot + ")");
        pending[slot] = true;
    }

    private void awaitDirect(long stream) throws CudaException {
        driver.check(driver.eventRecord(directEvent, stream), "cuEventRecord");
        driver.check(driver.eventSynchronize(directEvent), "cuEventSynchronize");
    }

    /**
     * Page-locks {@code host} ({@code cuMemHostRegister}) so that copies from and into it skip
     * staging. The caller keeps the memory alive until {@link #unregister}.
     */
    void register(MemorySegment host) throws CudaException {
        if (!host.isNative() || host.byteSize() == 0) {
            throw new CudaException(CuResult.INVALID_VALUE, "only non-empty native memory can be registered, got " + host);
        }
        long start = host.address();
        long end = start + host.byteSize();
        Map.Entry<Long, Long> below = registered.floorEntry(end - 1);
        if (below != null && below.getValue() > start) {
            throw new CudaException(CuResult.INVALID_VALUE, String.format(
                    "host range 0x%x + %d overlaps a registered range", start, host.byteSize()));
        }
        driver.check(driver.memHostRegister(host, host.byteSize(), 0),
                String.format("cuMemHostRegister(0x%x, %d bytes)", start, host.byteSize()));
        registered.put(start, end);
    }

    void unregister(MemorySegment host) throws CudaException {
        if (registered.remove(host.address()) == null) {
            throw new CudaException(CuResult.INVALID_VALUE, String.format(
                    "0x%x is not the start of a registered host range", host.address()));
        }
        driver.check(driver.memHostUnregister(host), "cuMemHostUnregister");
    }

    boolean isRegistered(MemorySegment segment) {
        if (!segment.isNative() || segment.byteSize() == 0) {
            return false;
        }
        Map.Entry<Long, Long> range = registered.floorEntry(segment.address());
        return range != null && segment.address() + segment.byteSize() <= range.getValue();
    }

    /** Frees the staging buffers and events and unregisters every registered range. */
    @Override
    public void close() {
        for (int i = 0; i < buffers.length; i++) {
            if (events[i] != 0) {
                driver.eventSynchronize(events[i]);
                driver.eventDestroy(events[i]);
                events[i] = 0;
            }
            if (buffers[i] != null) {
                driver.memFreeHost(buffers[i]);
                buffers[i] = null;
            }
        }
        if (directEvent != 0) {
            driver.eventDestroy(directEvent);
        }
        for (Long start : registered.keySet()) {
            driver.memHostUnregister(MemorySegment.ofAddress(start));
        }
        registered.clear();
    }
}
