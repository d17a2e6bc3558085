package io.gpumigrate.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.DeviceHashingSource;
import io.gpumigrate.device.KernelChunkHasher;
import io.gpumigrate.device.emulator.EmulatorBackend;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** A dump from a device that hashes by itself reads only the chunks that hold data, and restores exactly. */
class CheckpointDeviceDigestTest {

    private static final int CHUNK = 64 << 10;

    @TempDir
    Path tmp;

    /** stagedChunks: none, or enough host staging for every chunk (encoded from there with the device's digests). */
    @ParameterizedTest
    @ValueSource(ints = {0, 16})
    void dumpSkipsReadingZeroChunksAndTheImageRestoresExactly(int stagedChunks) throws Exception {
        try (EmulatorBackend emulator = new EmulatorBackend(1L << 30, 2);
             EmulatorBackend target = new EmulatorBackend(1L << 30, 2);
             KernelChunkHasher hasher = KernelChunkHasher.load(emulator)) {
            long random = TestData.randomAllocation(emulator, 2L * CHUNK + 300, 4);
            long sparse = emulator.memAlloc(4L * CHUNK);
            emulator.memset(sparse + 2L * CHUNK + 1, 0x42, 1, 3, null);
            DeviceHashingSource source = new DeviceHashingSource(emulator, hasher);
            Path dir = tmp.resolve("image");

            CheckpointWriter writer = new CheckpointWriter(new ChunkCodec(CHUNK, CompressionPolicy.DEFAULT), 1L << 30);
            CheckpointStats stats = writer.capture(SessionImage.ofMemory(TestData.WINDOW, emulator.allocations()),
                    source.backend(), dir, ProgressListener.NONE, null, writer.reserve((long) stagedChunks * CHUNK)).seal();

            assertEquals(3, stats.zeroChunks());
            assertEquals(2L * CHUNK + 300 + CHUNK, source.readToHost(), "the random allocation and sparse chunk 2");
            CheckpointReader.restore(dir, target, ProgressListener.NONE);
            assertEquals(emulator.allocations(), target.allocations());
            assertArrayEquals(TestData.read(emulator, random, 2L * CHUNK + 300), TestData.read(target, random, 2L * CHUNK + 300));
            assertArrayEquals(TestData.read(emulator, sparse, 4L * CHUNK), TestData.read(target, sparse, 4L * CHUNK));
        }
    }
}
