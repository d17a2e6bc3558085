package io.gpumigrate.checkpoint.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gpumigrate.checkpoint.ProgressListener;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.emulator.EmulatorBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link MigrationSender#prepare}: allocations placed on the target before the pause, the final round sends the rest. */
class StopAndCopyPrepareTest {

    private static final int CHUNK = 128 << 10;
    private static final AddressRange WINDOW = new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40);

    private final EmulatorBackend source = new EmulatorBackend(256L << 20);
    private final EmulatorBackend target = new EmulatorBackend(256L << 20);
    private final TransferOptions options = TransferOptions.defaults().withChunkSize(CHUNK);

    @AfterEach
    void close() {
        source.close();
        target.close();
    }

    @Test
    void preparedAllocationsWaitOnTheTargetAndTheFinalRoundBringsWhatChangedSince() throws Exception {
        long kept = source.memAlloc(5L * CHUNK + 300);
        long dropped = source.memAlloc(2L * CHUNK);
        source.memset(kept, 0x21, 1, 5L * CHUNK + 300, null);
        try (MigrationReceiver receiver = MigrationReceiver.listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, null, options);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
            List<AddressRange> before = source.allocations();
            sender.prepare(before);
            await().atMost(Duration.ofSeconds(30)).until(() -> target.allocations().equals(before));

            // the session runs on until the pause: one allocation goes, one comes, data changes
            source.memFree(dropped);
            long added = source.memAlloc(3L * CHUNK);
            source.memset(added, 0x5A, 1, 3L * CHUNK, null);
            source.memset(kept + CHUNK, 0x33, 1, 1000, null);
            RoundStats last = sender.finish(SessionImage.ofMemory(WINDOW, source.allocations()), ProgressListener.NONE);
            receiver.result().get(30, TimeUnit.SECONDS);
            assertEquals(2, last.round(), "prepare was round 1, the final copy round 2");
        }
        assertEquals(source.allocations(), target.allocations());
        for (AddressRange r : source.allocations()) {
            assertArrayEquals(readAll(source, r), readAll(target, r), "contents at 0x" + Long.toHexString(r.base()));
        }
    }

    @Test
    void modulesSentEarlyArePreloadedOnTheTargetAndMatchedByTheirBytes() throws Exception {
        byte[] ptx;
        try (java.io.InputStream in = DeviceBackend.class.getResourceAsStream("contract_kernels.ptx")) {
            ptx = in.readAllBytes();
        }
        source.memAlloc(CHUNK);
        ReceivedImage got;
        try (MigrationReceiver receiver = MigrationReceiver.listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, null, options);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
            sender.sendModules(List.of(new SessionImage.Module(9, ptx)));
            sender.finish(SessionImage.ofMemory(WINDOW, source.allocations()), ProgressListener.NONE);
            got = receiver.result().get(30, TimeUnit.SECONDS);
        }
        PreloadedModules preloaded = got.preloaded();
        assertEquals(1, preloaded.count());
        byte[] other = ptx.clone();
        other[other.length - 2] ^= 1;
        assertNull(preloaded.take(other, 0), "a module is taken only for identical bytes");
        DeviceModule module = preloaded.take(ptx, 0);
        assertNotNull(target.function(module, "vectorAdd"), "the preloaded module is loaded on the target");
        assertEquals(0, preloaded.count());
        assertEquals(1, preloaded.taken());
        target.unloadModule(module);
    }

    @Test
    void aModuleSentEarlyIsPreloadedWithItsGlobalsWhereTheSourceHasThem() throws Exception {
        byte[] ptx;
        try (java.io.InputStream in = DeviceBackend.class.getResourceAsStream("contract_kernels.ptx")) {
            ptx = in.readAllBytes();
        }
        source.loadModule(ptx); // the source's second module lies above its first: not where a fresh target starts
        DeviceModule sourceModule = source.loadModule(ptx);
        AddressRange block = source.moduleGlobals(sourceModule);
        source.memAlloc(CHUNK);
        ReceivedImage got;
        try (MigrationReceiver receiver = MigrationReceiver.listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, null, options);
             MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
            sender.sendModules(List.of(new SessionImage.Module(9, ptx, block.base(), new byte[0]),
                    new SessionImage.Module(10, ptx)));
            sender.finish(SessionImage.ofMemory(WINDOW, source.allocations()), ProgressListener.NONE);
            got = receiver.result().get(30, TimeUnit.SECONDS);
        }
        PreloadedModules preloaded = got.preloaded();
        assertEquals(2, preloaded.count());
        preloaded.keepOnly(List.of(new SessionImage.Module(9, ptx, block.base(), new byte[0])));
        assertEquals(1, preloaded.count(), "the module the session no longer holds is unloaded");
        assertNull(preloaded.take(ptx, 0), "taken only with its globals where the image says");
        DeviceModule module = preloaded.take(ptx, block.base());
        assertEquals(block, target.moduleGlobals(module), "the target's module has its globals where the source's has");
        assertEquals(source.global(sourceModule, "launchCount"), target.global(module, "launchCount"));
        target.unloadModule(module);
    }

    private static byte[] readAll(DeviceBackend d, AddressRange r) throws CudaException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(r.size());
            d.copyDtoH(s, r.base(), null);
            return s.toArray(ValueLayout.JAVA_BYTE);
        }
    }
}
