package io.gpumigrate.device.cuda;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the CUDA backend adds to the device contract: allocations at fixed addresses of the
 * session window, copies large enough to cycle the staging ring, registered host memory, calls
 * from a second thread. Run on a real GPU ({@link CudaPlacementTest}) and over the fake driver.
 */
abstract class PlacementContract {

    protected CudaBackend backend;
    protected Arena arena;

    /** Opens a backend on device 0 with the given window (size 0: the default). */
    protected abstract CudaBackend open(long windowBase, long windowSize) throws Exception;

    @BeforeEach
    void openBackend() throws Exception {
        backend = open(CudaBackend.DEFAULT_WINDOW_BASE, 0);
        arena = Arena.ofShared();
    }

    @AfterEach
    void closeBackend() {
        backend.close();
        arena.close();
    }

    @Test
    void allocationsFillTheWindowFromItsBase() throws CudaException {
        assertEquals(CudaBackend.DEFAULT_WINDOW_BASE, backend.windowBase());
        assertTrue(backend.windowSize() >= backend.properties().totalMemory());
        long g = backend.granularity();
        assertEquals(backend.windowBase(), backend.memAlloc(1));
        assertEquals(backend.windowBase() + g, backend.memAlloc(g + 1));
        assertEquals(backend.windowBase() + 3 * g, backend.memAlloc(100));
    }

    @Test
    void memAllocAtPlacesMemoryWhereARestoreNeedsIt() throws CudaException {
        long g = backend.granularity();
        long address = backend.windowBase() + 10 * g;
        assertEquals(address, backend.memAllocAt(address, 3 * g - 5));
        assertEquals(new AddressRange(address, 3 * g - 5), backend.addressRange(address + g));
        MemorySegment data = pattern(3 * g - 5, 11);
        backend.copyHtoD(address, data, null);
        MemorySegment back = arena.allocate(data.byteSize());
        backend.copyDtoH(back, address, null);
        assertEquals(-1, data.mismatch(back));
        assertEquals(CuResult.INVALID_VALUE,
                assertThrows(CudaException.class, () -> backend.memAllocAt(address + g, g)).result(), "overlap");
        assertEquals(CuResult.INVALID_VALUE,
                assertThrows(CudaException.class, () -> backend.memAllocAt(address - 4096, g)).result(), "misaligned");
        assertEquals(backend.windowBase(), backend.memAlloc(g), "first fit still starts at the base");
        assertEquals(List.of(new AddressRange(backend.windowBase(), g), new AddressRange(address, 3 * g - 5)),
                backend.allocations(), "the session's allocations, as a snapshot lists them");
    }

    @Test
    void aWindowAlreadyTakenInThisProcessFailsClearly() {
        CudaException e = assertThrows(CudaException.class,
                () -> open(backend.windowBase(), backend.windowSize()).close());
        assertTrue(e.getMessage().contains(Long.toHexString(backend.windowBase())), e.getMessage());
    }

    @Test
    void largeCopiesCycleTheStagingRingFromEveryKindOfHostMemory() throws CudaException {
        long size = (70L << 20) + 12345;
        long d = backend.memAlloc(size);
        MemorySegment pageable = pattern(size, 3);
        backend.copyHtoD(d, pageable, null);
        MemorySegment back = arena.allocate(size);
        backend.copyDtoH(back, d, null);
        assertEquals(-1, pageable.mismatch(back), "native pageable memory");

        byte[] heap = new byte[5 << 20];
        MemorySegment.copy(pageable, JAVA_BYTE, 1000, heap, 0, heap.length);
        backend.copyHtoD(d + 7, MemorySegment.ofArray(heap), null);
        byte[] heapBack = new byte[heap.length];
        backend.copyDtoH(MemorySegment.ofArray(heapBack), d + 7, null);
        assertEquals(-1, MemorySegment.ofArray(heap).mismatch(MemorySegment.ofArray(heapBack)), "heap arrays");

        MemorySegment pinned = arena.allocate(32L << 20, 4096);
        backend.registerHost(pinned);
        MemorySegment.copy(pageable, 0, pinned, 0, pinned.byteSize());
        backend.copyHtoD(d + (1 << 20), pinned, null);
        pinned.fill((byte) 0);
        backend.copyDtoH(pinned, d + (1 << 20), null);
        assertEquals(-1, pageable.asSlice(0, pinned.byteSize()).mismatch(pinned), "registered memory, copied directly");
        backend.unregisterHost(pinned);
    }

    @Test
    void aSecondThreadGetsTheContextMadeCurrent() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            long d = CompletableFuture.supplyAsync(() -> {
                try {
                    long p = backend.memAlloc(64);
                    backend.memset(p, 0x5A, 1, 64, null);
                    return p;
                } catch (CudaException e) {
                    throw new IllegalStateException(e);
                }
            }, other).get(60, TimeUnit.SECONDS);
            MemorySegment back = arena.allocate(8);
            backend.copyDtoH(back, d, null);
            assertEquals(0x5A5A5A5A5A5A5A5AL, back.get(JAVA_LONG, 0));
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void aClosedBackendRefusesWork() {
        backend.close();
        assertEquals(CuResult.INVALID_CONTEXT, assertThrows(CudaException.class, () -> backend.memAlloc(1)).result());
    }

    private MemorySegment pattern(long size, int seed) {
        MemorySegment s = arena.allocate(size, 8);
        for (long i = 0; i + 8 <= size; i += 8) {
            s.set(JAVA_LONG, i, i * 0x9E3779B97F4A7C15L + seed);
        }
        for (long i = size & ~7L; i < size; i++) {
            s.set(JAVA_BYTE, i, (byte) (i + seed));
        }
        return s;
    }
}
