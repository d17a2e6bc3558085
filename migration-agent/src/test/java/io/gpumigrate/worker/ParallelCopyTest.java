package io.gpumigrate.worker;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParallelCopyTest {

    @Test
    void copiesEveryByteOfRangesOfAwkwardSizes() {
        long[] sizes = {0, 1, ParallelCopy.PART - 1, 2 * ParallelCopy.PART, (8L << 20) + 13, (9L << 20) + 7};
        Random r = new Random(5);
        try (Arena arena = Arena.ofShared()) {
            for (long n : sizes) {
                MemorySegment src = arena.allocate(Math.max(1, n));
                byte[] content = new byte[(int) n];
                r.nextBytes(content);
                MemorySegment.copy(content, 0, src, ValueLayout.JAVA_BYTE, 0, (int) n);
                MemorySegment dst = arena.allocate(n + 8);
                dst.fill((byte) 0x5A);
                ParallelCopy.copy(src.asSlice(0, n), dst);
                assertEquals(-1, dst.asSlice(0, n).mismatch(src.asSlice(0, n)), "copy of " + n + " bytes");
                for (long i = n; i < n + 8; i++) {
                    assertEquals((byte) 0x5A, dst.get(ValueLayout.JAVA_BYTE, i), "byte " + i + " past the copy");
                }
            }
        }
    }

    @Test
    void refusesADestinationTooSmall() {
        try (Arena arena = Arena.ofShared()) {
            assertThrows(IllegalArgumentException.class,
                    () -> ParallelCopy.copy(arena.allocate(100), arena.allocate(99)));
        }
    }
}
