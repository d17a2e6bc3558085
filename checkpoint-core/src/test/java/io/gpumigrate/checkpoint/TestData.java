package io.gpumigrate.checkpoint;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.DeviceBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Contents for device memory in tests: random bytes, and float32 weights like a model's. */
public final class TestData {

    /** The session window tests use: where the emulator places allocations, 1 TiB of it. */
    public static final AddressRange WINDOW = new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40);

    private TestData() {
    }

    public static MemorySegment random(Arena arena, long bytes, long seed) {
        MemorySegment s = arena.allocate(bytes, 64);
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i + 8 <= bytes; i += 8) {
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
        }
        for (long i = bytes & ~7L; i < bytes; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
        return s;
    }

    /** Normally distributed float32 values, as trained weights are. */
    public static MemorySegment floats(Arena arena, long bytes, long seed) {
        MemorySegment s = arena.allocate(bytes, 64);
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i + 4 <= bytes; i += 4) {
            double u1 = random.nextDouble(1e-12, 1.0);
            double u2 = random.nextDouble();
            float g = (float) (0.02 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
            s.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i, g);
        }
        return s;
    }

    /** Allocates {@code bytes} on the device and fills it with random bytes; returns the address. */
    public static long randomAllocation(DeviceBackend device, long bytes, long seed) throws CudaException {
        long address = device.memAlloc(bytes);
        writeRandom(device, address, bytes, seed);
        return address;
    }

    /** Writes {@code bytes} random bytes ({@link #random}) to the device at {@code address}. */
    public static void writeRandom(DeviceBackend device, long address, long bytes, long seed) throws CudaException {
        try (Arena arena = Arena.ofConfined()) {
            device.copyHtoD(address, random(arena, bytes, seed), null);
        }
    }

    /** Asserts that {@code target} holds the allocations of {@code source}, each with the same bytes. */
    public static void assertSameMemory(DeviceBackend source, DeviceBackend target) throws CudaException {
        assertEquals(source.allocations(), target.allocations());
        for (AddressRange r : source.allocations()) {
            assertArrayEquals(read(source, r.base(), r.size()), read(target, r.base(), r.size()),
                    "contents at 0x" + Long.toHexString(r.base()));
        }
    }

    /** The device bytes of {@code [address, address + bytes)}, in a new array. */
    public static byte[] read(DeviceBackend device, long address, long bytes) throws CudaException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(bytes);
            device.copyDtoH(s, address, null);
            return s.toArray(ValueLayout.JAVA_BYTE);
        }
    }
}
