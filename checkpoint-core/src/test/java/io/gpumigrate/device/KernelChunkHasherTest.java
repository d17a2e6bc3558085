package io.gpumigrate.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gpumigrate.device.emulator.EmulatorBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;
import java.util.SplittableRandom;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;

/**
 * The GPU kernels of {@code chunk_digest.cu}, run on the emulator from the same PTX the CUDA
 * backend loads, compute exactly the CPU's {@link ChunkHash} digests and zero flags.
 */
class KernelChunkHasherTest {

    @Test
    void chunkHashOfOneSegmentIsTheXxHashOfTheSegmentsXxHash() {
        byte[] bytes = new byte[1000];
        new SplittableRandom(3).nextBytes(bytes);
        var xx = XXHashFactory.safeInstance().hash64();
        long inner = xx.hash(bytes, 0, bytes.length, 0L);
        byte[] le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(inner).array();
        assertEquals(xx.hash(le, 0, 8, 0L), ChunkHash.of(MemorySegment.ofArray(bytes)));
        assertEquals(0xEF46DB3751D8E999L, xx.hash(new byte[0], 0, 0, 0L), "xxHash64 of nothing, seed 0");
    }

    @Test
    void kernelDigestsEqualTheCpuDigestsOverRandomZeroAndShortChunks() throws Exception {
        int chunk = 40 << 10;
        long size = 5L * chunk + 1003;
        try (EmulatorBackend device = new EmulatorBackend(1L << 30, 2); Arena arena = Arena.ofConfined();
             KernelChunkHasher hasher = KernelChunkHasher.load(device)) {
            MemorySegment host = arena.allocate(size, 64);
            SplittableRandom random = new SplittableRandom(11);
            for (long i = 0; i < size; i++) {
                host.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
            }
            host.asSlice(chunk, chunk).fill((byte) 0);
            host.asSlice(3L * chunk, chunk).fill((byte) 0);
            host.set(ValueLayout.JAVA_BYTE, 4L * chunk - 1, (byte) 1);
            long address = device.memAlloc(size);
            device.copyHtoD(address, host, null);

            ChunkDigests cpu = device.chunkDigests(address, size, chunk);
            ChunkDigests gpu = hasher.digests(address, size, chunk);

            assertArrayEquals(cpu.hashes(), gpu.hashes());
            BitSet onlyChunk1 = new BitSet();
            onlyChunk1.set(1);
            assertEquals(onlyChunk1, cpu.zero());
            assertEquals(onlyChunk1, gpu.zero());
            assertEquals(ChunkHash.of(host.asSlice(5L * chunk, 1003)), gpu.hashes()[5]);
            assertEquals(1, device.allocations().size(), "the kernel's scratch memory is freed");
        }
    }

    @Test
    void kernelHandlesChunksShorterThanOneXxHashStripe() throws Exception {
        try (EmulatorBackend device = new EmulatorBackend(1L << 30, 2); Arena arena = Arena.ofConfined();
             KernelChunkHasher hasher = KernelChunkHasher.load(device)) {
            long size = 101;
            MemorySegment host = arena.allocate(size, 64);
            for (int i = 0; i < size; i++) {
                host.set(ValueLayout.JAVA_BYTE, i, (byte) (i < 48 ? 0 : i * 7 + 1));
            }
            long address = device.memAlloc(size);
            device.copyHtoD(address, host, null);

            ChunkDigests gpu = hasher.digests(address, size, 24);

            assertArrayEquals(device.chunkDigests(address, size, 24).hashes(), gpu.hashes());
            assertEquals(BitSet.valueOf(new long[] {0b11}), gpu.zero());
        }
    }

    @Test
    void unalignedRangesAreRefusedNamingTheValues() throws Exception {
        try (EmulatorBackend device = new EmulatorBackend(1L << 30, 2);
             KernelChunkHasher hasher = KernelChunkHasher.load(device)) {
            long address = device.memAlloc(4096);
            CudaException e = assertThrows(CudaException.class, () -> hasher.digests(address + 4, 64, 16));
            assertEquals(CuResult.INVALID_VALUE, e.result());
            assertThrows(CudaException.class, () -> hasher.digests(address, 64, 12));
        }
    }

    @Test
    void aScratchKeptBetweenCallsGivesTheSameDigestsAsOneAllocatedEachCall() throws Exception {
        int chunk = 16 << 10;
        try (EmulatorBackend device = new EmulatorBackend(1L << 30, 2); Arena arena = Arena.ofConfined()) {
            long kept = device.memAlloc(1 << 20);
            int[] takes = {0};
            KernelChunkHasher.Scratch reused = new KernelChunkHasher.Scratch() {
                @Override
                public long take(long bytes) {
                    takes[0]++;
                    return kept;
                }

                @Override
                public void give(long address) {
                }
            };
            long[] sizes = {3L * chunk + 17, 40L * chunk, 8};
            long[] bases = new long[sizes.length];
            SplittableRandom random = new SplittableRandom(5);
            for (int i = 0; i < sizes.length; i++) {
                MemorySegment host = arena.allocate(sizes[i], 64);
                for (long b = 0; b < sizes[i]; b++) {
                    host.set(ValueLayout.JAVA_BYTE, b, (byte) random.nextInt());
                }
                bases[i] = device.memAlloc(sizes[i]);
                device.copyHtoD(bases[i], host, null);
            }
            try (KernelChunkHasher perCall = KernelChunkHasher.load(device);
                 KernelChunkHasher keeping = KernelChunkHasher.load(device, reused)) {
                for (int round = 0; round < 2; round++) {
                    for (int i = 0; i < sizes.length; i++) {
                        assertArrayEquals(perCall.digests(bases[i], sizes[i], chunk).hashes(),
                                keeping.digests(bases[i], sizes[i], chunk).hashes(), "allocation " + i + ", round " + round);
                    }
                }
            }
            assertEquals(2 * sizes.length, takes[0], "one take a call");
        }
    }
}
