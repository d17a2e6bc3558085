package io.gpumigrate.checkpoint.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.checkpoint.ProgressListener;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceHashingSource;
import io.gpumigrate.device.KernelChunkHasher;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.emulator.EmulatorBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A source that hashes on the device (as the CUDA backend does; here the emulator running the
 * same PTX kernels) never reads its zero chunks to the host, and the target still ends up with
 * exactly the source's memory.
 */
class DeviceDigestTransferTest {

    private static final int CHUNK = 64 << 10;

    @Test
    void zeroChunksAreSentAsMarkersWithoutReadingThemFromTheDevice() throws Exception {
        try (EmulatorBackend emulator = new EmulatorBackend(1L << 30, 2);
             EmulatorBackend target = new EmulatorBackend(1L << 30, 2);
             KernelChunkHasher hasher = KernelChunkHasher.load(emulator)) {
            long base = emulator.memAlloc(6L * CHUNK + 500);
            writeRandom(emulator, base, CHUNK, 1);                  // chunk 0
            writeRandom(emulator, base + 2L * CHUNK, CHUNK, 2);     // chunk 2
            emulator.memset(base + 5L * CHUNK - 1, 0x5a, 1, 1, null); // chunk 4: one byte at its very end
            DeviceHashingSource hashing = new DeviceHashingSource(emulator, hasher);
            DeviceBackend source = hashing.backend();
            TransferOptions options = TransferOptions.defaults().withChunkSize(CHUNK);

            try (MigrationReceiver receiver = MigrationReceiver.listen(
                         new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, null, options);
                 MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
                RoundStats first = sender.sendRound(source.allocations(), ProgressListener.NONE);
                assertEquals(7, first.chunksSent());
                assertEquals(4, first.zeroChunks(), "chunks 1, 3, 5 and the short last one");
                assertEquals(3L * CHUNK, hashing.readToHost(), "only the chunks that hold data are read");

                emulator.memset(base + 3L * CHUNK + 7, 0x33, 1, 1, null);
                hashing.resetCount();
                sender.finish(new SessionImage(new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40), 1,
                        List.of(), source.allocations(), List.of(), List.of(), List.of(), List.of(), List.of(),
                        new java.util.TreeMap<>()), ProgressListener.NONE);
                assertEquals(CHUNK, hashing.readToHost(), "the final round reads only the chunk that changed");
                receiver.result().get(30, TimeUnit.SECONDS);
            }
            assertEquals(emulator.allocations(), target.allocations());
            assertArrayEquals(contents(emulator, base, 6L * CHUNK + 500), contents(target, base, 6L * CHUNK + 500));
        }
    }

    private static void writeRandom(DeviceBackend d, long address, long bytes, long seed) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(bytes);
            SplittableRandom random = new SplittableRandom(seed);
            for (long i = 0; i < bytes; i++) {
                s.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
            }
            d.copyHtoD(address, s, null);
        }
    }

    private static byte[] contents(DeviceBackend d, long address, long bytes) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(bytes);
            d.copyDtoH(s, address, null);
            return s.toArray(ValueLayout.JAVA_BYTE);
        }
    }
}
