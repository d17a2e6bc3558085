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
                assertThrows(CudaException.class, () -> backend.memAllocAt(address - 4096, g)).result(),
                "an unaligned range that runs into the allocation");
        assertEquals(backend.windowBase(), backend.memAlloc(g), "first fit still starts at the base");
        assertEquals(List.of(new AddressRange(backend.windowBase(), g), new AddressRange(address, 3 * g - 5)),
                backend.allocations(), "the session's allocations, as a snapshot lists them");
    }

    @Test
    void allocationsPackedAsTheEmulatorPacksThemShareGranulesAndKeepTheirBytes() throws CudaException {
        long g = backend.granularity();
        long base = backend.windowBase() + 20 * g;
        // 512 bytes apart, the second running into the next granule, the third inside that one
        long[] at = {base + 512, base + 2048, base + g + 4096};
        long[] size = {1000, g, 300};
        for (int i = 0; i < at.length; i++) {
            assertEquals(at[i], backend.memAllocAt(at[i], size[i]), "placed where asked, allocation " + i);
        }
        MemorySegment[] data = new MemorySegment[at.length];
        for (int i = 0; i < at.length; i++) {
            data[i] = pattern(size[i], 30 + i);
            backend.copyHtoD(at[i], data[i], null);
        }
        assertEquals(new AddressRange(at[1], g), backend.addressRange(at[1] + g - 1));
        assertEquals(CuResult.NOT_FOUND, assertThrows(CudaException.class,
                () -> backend.addressRange(at[0] + 1000)).result(), "the gap between two allocations is no allocation");
        assertEquals(CuResult.INVALID_VALUE,
                assertThrows(CudaException.class, () -> backend.memAllocAt(at[0] + 999, 2)).result(), "overlap");
        backend.memFree(at[1]); // the granules it shares stay mapped for the others
        for (int i : new int[] {0, 2}) {
            MemorySegment back = arena.allocate(size[i]);
            backend.copyDtoH(back, at[i], null);
            assertEquals(-1, data[i].mismatch(back), "allocation " + i + " after its neighbour was freed");
        }
        assertEquals(at[1], backend.memAllocAt(at[1], 100), "a freed place can be taken again");
        assertEquals(List.of(new AddressRange(at[0], 1000), new AddressRange(at[1], 100), new AddressRange(at[2], 300)),
                backend.allocations());
        for (long a : new long[] {at[0], at[1], at[2]}) {
            backend.memFree(a);
        }
        assertEquals(base, backend.memAllocAt(base, 2 * g), "every granule was given back");
        assertEquals(CuResult.INVALID_VALUE, assertThrows(CudaException.class,
                () -> backend.memAllocAt(backend.windowBase() + backend.windowSize() - 512, 1024)).result(),
                "past the window's end");
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
