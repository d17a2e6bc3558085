package io.gpumigrate.device.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code memAllocAt} and {@code allocations}: what a restore and a migration target need of the emulator. */
class EmulatorPlacementTest {

    private static final long BASE = DeviceAddressSpace.WINDOW_BASE;

    @Test
    void allocationPlacedAtAnAddressIsThereAndHoldsWhatIsWritten() throws Exception {
        try (EmulatorBackend device = new EmulatorBackend(1L << 30); Arena arena = Arena.ofConfined()) {
            long address = BASE + (40L << 20);
            assertEquals(address, device.memAllocAt(address, 3 << 20));
            assertEquals(new AddressRange(address, 3 << 20), device.addressRange(address + 12345));
            MemorySegment data = arena.allocate(4096).fill((byte) 0x5C);
            device.copyHtoD(address + (2 << 20), data, null);
            MemorySegment back = arena.allocate(4096);
            device.copyDtoH(back, address + (2 << 20), null);
            assertArrayEquals(data.toArray(ValueLayout.JAVA_BYTE), back.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void overlappingPlacementIsRefusedNamingTheRange() throws Exception {
        try (EmulatorBackend device = new EmulatorBackend(1L << 30)) {
            device.memAllocAt(BASE + (8 << 20), 1 << 20);
            CudaException below = assertThrows(CudaException.class, () -> device.memAllocAt(BASE + (7 << 20), (1 << 20) + 1));
            assertEquals(CuResult.INVALID_VALUE, below.result());
            CudaException inside = assertThrows(CudaException.class, () -> device.memAllocAt(BASE + (8 << 20) + 4096, 256));
            assertTrue(inside.getMessage().contains("0x" + Long.toHexString(BASE + (8 << 20) + 4096)), inside.getMessage());
            device.memAllocAt(BASE + (9 << 20), 256); // adjacent, not overlapping
        }
    }

    @Test
    void placementOutsideTheWindowOrMisalignedIsRefused() throws Exception {
        try (EmulatorBackend device = new EmulatorBackend(1L << 30)) {
            assertEquals(CuResult.INVALID_VALUE,
                    assertThrows(CudaException.class, () -> device.memAllocAt(BASE - 4096, 4096)).result());
            assertEquals(CuResult.INVALID_VALUE,
                    assertThrows(CudaException.class, () -> device.memAllocAt(BASE + 100, 4096)).result());
        }
    }

    @Test
    void placementBeyondCapacityIsOutOfMemory() throws Exception {
        try (EmulatorBackend device = new EmulatorBackend(16L << 20)) {
            assertEquals(CuResult.OUT_OF_MEMORY,
                    assertThrows(CudaException.class, () -> device.memAllocAt(BASE, 17L << 20)).result());
        }
    }

    @Test
    void allocationsListsLiveAllocationsInAddressOrderWithoutFreedOnes() throws Exception {
        try (EmulatorBackend device = new EmulatorBackend(1L << 30)) {
            long placed = device.memAllocAt(BASE + (100L << 20), 4096);
            long a = device.memAlloc(1000);
            long b = device.memAlloc(5 << 20);
            long c = device.memAlloc(300);
            device.memFree(b);
            List<AddressRange> expected = new java.util.ArrayList<>(List.of(new AddressRange(a, 1000),
                    new AddressRange(c, 300), new AddressRange(placed, 4096)));
            expected.sort(java.util.Comparator.comparingLong(AddressRange::base));
            assertEquals(expected, device.allocations());
            long next = device.memAlloc(1 << 20);
            assertTrue(device.allocations().contains(new AddressRange(next, 1 << 20)));
        }
    }
}
