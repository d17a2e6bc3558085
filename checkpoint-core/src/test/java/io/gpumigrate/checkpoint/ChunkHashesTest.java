package io.gpumigrate.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.gpumigrate.device.emulator.EmulatorBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The SPI's {@code chunkHashes} is exactly the xxHash64 of each chunk, which pre-copy and the target's check rely on. */
class ChunkHashesTest {

    @Test
    void chunkHashesAreTheDigestsOfEachChunkIncludingTheShortLastOne() throws Exception {
        int chunk = 64 << 10;
        long size = 5L * chunk + 777;
        try (EmulatorBackend device = new EmulatorBackend(1L << 30); Arena arena = Arena.ofConfined()) {
            long address = TestData.randomAllocation(device, size, 5);
            MemorySegment host = arena.allocate(size);
            device.copyDtoH(host, address, null);
            long[] expected = new long[6];
            for (int i = 0; i < 6; i++) {
                expected[i] = ChunkDigest.ofChunk(host.asSlice((long) i * chunk, Math.min(chunk, size - (long) i * chunk)));
            }
            long[] hashes = device.chunkHashes(address, size, chunk);
            assertArrayEquals(expected, hashes);

            device.memset(address + 2L * chunk + 5, 0, 1, 1, null);
            long[] after = device.chunkHashes(address, size, chunk);
            assertNotEquals(hashes[2], after[2]);
            assertEquals(hashes[1], after[1]);
        }
    }
}
