package io.gpumigrate.device.emulator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Device-to-device copies between (or within) allocations, through a bounded staging buffer. */
final class DeviceCopier {

    private static final long STAGE = DeviceAllocation.CHUNK_SIZE;

    private DeviceCopier() {
    }

    /**
     * Copies {@code length} bytes; both ranges have been bounds-checked. Overlapping ranges in
     * one allocation copy as {@code memmove} does.
     */
    static void copy(DeviceAllocation from, long fromOffset, DeviceAllocation to, long toOffset, long length) {
        if (length == 0) {
            return;
        }
        boolean backwards = from == to && toOffset > fromOffset && toOffset < fromOffset + length;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stage = arena.allocate(Math.min(STAGE, length));
            long done = 0;
            while (done < length) {
                long n = Math.min(STAGE, length - done);
                long at = backwards ? length - done - n : done;
                from.read(fromOffset + at, stage, 0, n);
                to.write(toOffset + at, stage, 0, n);
                done += n;
            }
        }
    }
}
