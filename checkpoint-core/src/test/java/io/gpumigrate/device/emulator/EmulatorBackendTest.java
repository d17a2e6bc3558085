package io.gpumigrate.device.emulator;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceBackendContract;
import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.DeviceStream;
import io.gpumigrate.device.LaunchConfig;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The emulator against the backend contract, plus what only the emulator promises. */
class EmulatorBackendTest extends DeviceBackendContract {

    @Override
    protected DeviceBackend newBackend() {
        return new EmulatorBackend();
    }

    @Test
    void addressesStartInTheCudaBackendsWindow() throws CudaException {
        long a = backend.memAlloc(10);
        assertEquals(DeviceAddressSpace.WINDOW_BASE, a);
        long b = backend.memAlloc(10);
        assertEquals(0, b % 512);
        assertTrue(b - a >= 512 + 10, "a guard gap separates allocations");
        assertTrue(backend.properties().name().contains("emulator"), backend.properties().name());
        assertEquals(9, backend.properties().attribute(75));
    }

    @Test
    void hugeAllocationsCostNothingUntilTouched() throws CudaException {
        long size = 8L << 30;
        long d = backend.memAlloc(size);
        MemorySegment one = arena.allocate(8);
        one.set(ValueLayout.JAVA_LONG, 0, 0x1122334455667788L);
        backend.copyHtoD(d + size - 8, one, null);
        MemorySegment back = arena.allocate(16);
        backend.copyDtoH(back, d + size - 16, null);
        assertEquals(0, back.get(ValueLayout.JAVA_LONG, 0), "untouched bytes read as zero");
        assertEquals(0x1122334455667788L, back.get(ValueLayout.JAVA_LONG, 8));
        backend.memset(d, 0, 1, size, null);
        backend.copyDtoH(back, d + size - 16, null);
        assertEquals(0, back.get(ValueLayout.JAVA_LONG, 8));
    }

    @Test
    void copiesAcrossChunkBoundariesAndOverlappingMoves() throws CudaException {
        int n = 3 * DeviceAllocation.CHUNK_SIZE + 100;
        long d = backend.memAlloc(n);
        MemorySegment src = ints(arena, n / 4, i -> i);
        backend.copyHtoD(d, src, null);
        backend.copyDtoD(d + 400, d, n - 400, null);
        MemorySegment back = arena.allocate(n);
        backend.copyDtoH(back, d, null);
        for (int i = 100; i < n / 4; i += 997) {
            assertEquals(i - 100, back.getAtIndex(ValueLayout.JAVA_INT, i), "int " + i);
        }
    }

    @Test
    void foreignOrDestroyedHandlesAreRejected() throws CudaException {
        DeviceStream s = backend.createStream(0, 0);
        backend.destroyStream(s);
        long d = backend.memAlloc(16);
        MemorySegment host = arena.allocate(16);
        assertEquals(CuResult.INVALID_HANDLE,
                assertThrows(CudaException.class, () -> backend.copyDtoH(host, d, s)).result());
        try (EmulatorBackend other = new EmulatorBackend(1 << 20)) {
            DeviceStream foreign = other.createStream(0, 0);
            assertEquals(CuResult.INVALID_HANDLE,
                    assertThrows(CudaException.class, () -> backend.synchronize(foreign)).result());
        }
    }

    @Test
    void closedBackendRefusesWork() {
        backend.close();
        assertEquals(CuResult.DEINITIALIZED, assertThrows(CudaException.class, () -> backend.memAlloc(8)).result());
    }

    @Test
    void freedAddressesAreReused() throws CudaException {
        long a = backend.memAlloc(4096);
        backend.memAlloc(4096);
        backend.memFree(a);
        assertEquals(a, backend.memAlloc(1000), "first fit reuses the freed range");
    }

    @Test
    void allocationsCanBeRecreatedAtTheirOldAddresses() throws CudaException {
        EmulatorBackend emulator = (EmulatorBackend) backend;
        long wanted = DeviceAddressSpace.WINDOW_BASE + (64L << 20);
        assertEquals(wanted, emulator.memAllocAt(wanted, 4096));
        assertEquals(CuResult.INVALID_VALUE,
                assertThrows(CudaException.class, () -> emulator.memAllocAt(wanted + 1024, 16)).result());
        assertEquals(CuResult.INVALID_VALUE,
                assertThrows(CudaException.class, () -> emulator.memAllocAt(wanted + 8192 + 3, 16)).result());
        long fresh = backend.memAlloc(1 << 20);
        assertTrue(fresh + (1 << 20) <= wanted || fresh >= wanted + 4096, "first fit avoids the placed range");
        assertEquals(new io.gpumigrate.device.AddressRange(wanted, 4096), backend.addressRange(wanted + 100));
    }

    @Test
    void launchConfigurationsOutsideTheLimitsAreRejected() throws Exception {
        DeviceModule m = loadContractModule();
        DeviceFunction add = backend.function(m, "vectorAdd");
        long d = backend.memAlloc(4096);
        MemorySegment params = arena.allocate(32, 8);
        params.set(ValueLayout.JAVA_LONG, 0, d);
        params.set(ValueLayout.JAVA_LONG, 8, d);
        params.set(ValueLayout.JAVA_LONG, 16, d);
        params.set(ValueLayout.JAVA_INT, 24, 0);
        int tooMany = backend.properties().attribute(1) * 2;
        assertInvalidValue(() -> backend.launch(add, new LaunchConfig(1, 1, 1, tooMany, 1, 1, 0), params, null));
        assertInvalidValue(() -> backend.launch(add, new LaunchConfig(0, 1, 1, 32, 1, 1, 0), params, null));
        assertInvalidValue(() -> backend.launch(add, new LaunchConfig(1, 1, 1, 32, 1, 1, 1 << 30), params, null));
    }
}
