package io.gpumigrate.checkpoint;

import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.DeviceBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Contents for device memory in tests: random bytes, and float32 weights like a model's. */
final class TestData {

    /** The session window tests use: where the emulator places allocations, 1 TiB of it. */
    static final AddressRange WINDOW = new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40);

    private TestData() {
    }

    static MemorySegment random(Arena arena, long bytes, long seed) {
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
    static MemorySegment floats(Arena arena, long bytes, long seed) {
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
    static long randomAllocation(DeviceBackend device, long bytes, long seed) throws CudaException {
        long address = device.memAlloc(bytes);
        try (Arena arena = Arena.ofConfined()) {
            device.copyHtoD(address, random(arena, bytes, seed), null);
        }
        return address;
    }

    /** The device bytes of {@code [address, address + bytes)}, in a new array. */
    static byte[] read(DeviceBackend device, long address, long bytes) throws CudaException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(bytes);
            device.copyDtoH(s, address, null);
            return s.toArray(ValueLayout.JAVA_BYTE);
        }
    }
}
