package io.gpumigrate.device.cuda;

import io.gpumigrate.device.DeviceStream;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link PlacementContract} over {@code fake_libcuda.c}, plus what only the fake can count: nothing leaks. */
class FakeDriverPlacementTest extends PlacementContract {

    @Override
    protected CudaBackend open(long windowBase, long windowSize) throws Exception {
        return CudaBackend.open(FakeDriver.driver(), 0, windowBase, windowSize);
    }

    @Test
    void closeReleasesMemoryStreamsAndTheContext() throws Exception {
        int streams = FakeDriver.streamsAlive();
        int contexts = FakeDriver.contextsRetained();
        long used = FakeDriver.memoryUsed();
        backend.memAlloc(5 << 20);
        backend.memAllocAt(backend.windowBase() + (64L << 20), 1);
        DeviceStream s = backend.createStream(0, 0);
        backend.createStream(1, -1);
        backend.destroyStream(s);
        backend.loadModule(".visible .entry k()\n{ ret; }\n".getBytes());
        assertEquals(streams + 1, FakeDriver.streamsAlive());
        assertEquals(used + (6L << 20) + (2L << 20), FakeDriver.memoryUsed(), "allocations are rounded to 2 MiB");
        backend.close();
        assertEquals(streams - 0, FakeDriver.streamsAlive(), "streams left after close");
        assertEquals(contexts - 1, FakeDriver.contextsRetained(), "primary context released");
        assertEquals(used - 0, FakeDriver.memoryUsed(), "device memory left after close");
        backend = open(CudaBackend.DEFAULT_WINDOW_BASE, 0);
        assertEquals(backend.windowBase(), backend.memAlloc(1), "the window is free again after close");
    }

    @Test
    void sharedGranulesAreBackedOnceAndReleasedWithTheirLastAllocation() throws Exception {
        long g = backend.granularity();
        long used = FakeDriver.memoryUsed();
        long base = backend.windowBase() + 40 * g;
        backend.memAllocAt(base + 512, 1000);
        backend.memAllocAt(base + 2048, g);
        assertEquals(used + 2 * g, FakeDriver.memoryUsed(), "two granules back both allocations");
        backend.memFree(base + 512);
        assertEquals(used + 2 * g, FakeDriver.memoryUsed(), "still in use by the second");
        backend.memFree(base + 2048);
        assertEquals(used, FakeDriver.memoryUsed(), "released with the last allocation in them");
    }
}
