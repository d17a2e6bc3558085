package io.gpumigrate.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HostStagingTest {

    private static final int CHUNK = 64 << 10;

    @Test
    void chunksOfAnyLengthArePackedOnPageBoundariesAndKeepTheirBytes() {
        int[] lengths = {CHUNK, 1000, CHUNK, CHUNK - 4096, 4096, CHUNK, 12345, CHUNK};
        long pages = 0;
        for (int length : lengths) {
            pages += (length + 4095) / 4096;
        }
        // exactly the pages the chunks take: short chunks leave no room unused beyond their last page
        try (HostStaging staging = HostStaging.allocate(pages * 4096, CHUNK, ChunkWorkers.shared());
             Arena arena = Arena.ofShared()) { // the pool copies from it
            assertEquals(pages * 4096, staging.capacity());
            Random random = new Random(5);
            List<byte[]> expected = new ArrayList<>();
            long address = 0x7000_0000L;
            for (int length : lengths) {
                assertTrue(staging.hasRoom(length), "room for " + length + " bytes after " + expected.size() + " chunks");
                byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                expected.add(bytes);
                MemorySegment from = arena.allocate(length);
                MemorySegment.copy(bytes, 0, from, ValueLayout.JAVA_BYTE, 0, length);
                staging.stage(from, address, false, 0, ChunkWorkers.shared(), () -> { });
                address += CHUNK;
            }
            assertFalse(staging.hasRoom(1), "every page is taken");
            staging.awaitCopies();
            assertEquals(lengths.length, staging.chunks().size());
            for (int i = 0; i < lengths.length; i++) {
                HostStaging.Chunk chunk = staging.chunks().get(i);
                assertEquals(0x7000_0000L + (long) i * CHUNK, chunk.address());
                assertArrayEquals(expected.get(i), chunk.bytes().toArray(ValueLayout.JAVA_BYTE), "chunk " + i);
            }
        }
    }

    @Test
    void aChunkLargerThanTheChunkSizeIsNeverStaged() {
        try (HostStaging staging = HostStaging.allocate(4L * CHUNK, CHUNK, ChunkWorkers.shared())) {
            assertTrue(staging.hasRoom(CHUNK));
            assertFalse(staging.hasRoom(CHUNK + 1));
        }
    }

    @Test
    void nothingAskedIsNoStaging() {
        HostStaging staging = HostStaging.allocate(0, CHUNK, ChunkWorkers.shared());
        assertEquals(0, staging.capacity());
        assertFalse(staging.hasRoom(1));
    }
}
