package io.gpumigrate.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class PrefaultedMemoryTest {

    @Test
    void onLinuxTheMemoryComesFromTheKernel() {
        assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"), "Linux");
        assertTrue(PrefaultedMemory.mapped(), "mmap and munmap are linked");
    }

    @Test
    void memoryTheKernelCannotPopulateIsAnErrorNotAFill() {
        assumeTrue(PrefaultedMemory.mapped(), "mmap");
        long address;
        try (Arena arena = Arena.ofShared()) {
            address = PrefaultedMemory.allocate(2 * 4096, arena, ChunkWorkers.shared()).address();
        } // unmapped now
        int errno = PrefaultedMemory.populate(MemorySegment.ofAddress(address).reinterpret(2 * 4096));
        assertEquals(12, errno, "ENOMEM: the range is not mapped (a fill there would crash the worker)");
    }

    @Test
    void theMemoryIsZeroedWritableAndOfTheSizeAsked() {
        long bytes = 48L << 20;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = PrefaultedMemory.allocate(bytes, arena, ChunkWorkers.shared());
            assertEquals(bytes, memory.byteSize());
            MemorySegment zeros = arena.allocate(1 << 20);
            for (long offset = 0; offset < bytes; offset += zeros.byteSize()) {
                assertEquals(-1, MemorySegment.mismatch(memory, offset, offset + zeros.byteSize(), zeros, 0,
                        zeros.byteSize()), "zeros at " + offset);
            }
            memory.fill((byte) 0x5A);
            assertEquals((byte) 0x5A, memory.get(ValueLayout.JAVA_BYTE, bytes - 1));
        }
    }

    @Test
    void aSinglePageIsEnough() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = PrefaultedMemory.allocate(4096, arena, ChunkWorkers.shared());
            memory.set(ValueLayout.JAVA_LONG, 4088, -1L);
            assertEquals(-1L, memory.get(ValueLayout.JAVA_LONG, 4088));
        }
    }
}
