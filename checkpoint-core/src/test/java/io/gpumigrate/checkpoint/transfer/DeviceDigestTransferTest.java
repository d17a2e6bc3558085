package io.gpumigrate.checkpoint.transfer;

import static io.gpumigrate.checkpoint.TestData.read;
import static io.gpumigrate.checkpoint.TestData.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.checkpoint.ProgressListener;
import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceHashingSource;
import io.gpumigrate.device.KernelChunkHasher;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.emulator.EmulatorBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
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
            assertArrayEquals(read(emulator, base, 6L * CHUNK + 500), read(target, base, 6L * CHUNK + 500));
        }
    }

    @Test
    void aTargetThatDigestsItsDeviceChecksWhatLandedThereAndRefusesAChunkDamagedInTransit() throws Exception {
        for (boolean damage : new boolean[] {false, true}) {
            try (EmulatorBackend emulator = new EmulatorBackend(1L << 30, 2);
                 EmulatorBackend targetDevice = new EmulatorBackend(1L << 30, 2);
                 KernelChunkHasher hasher = KernelChunkHasher.load(emulator);
                 KernelChunkHasher targetHasher = KernelChunkHasher.load(targetDevice)) {
                DeviceBackend source = new DeviceHashingSource(emulator, hasher).backend();
                DeviceBackend target = new DeviceHashingSource(targetDevice, targetHasher).backend();
                long base = emulator.memAlloc(4L * CHUNK);
                writeRandom(emulator, base, 4L * CHUNK, 3);
                // each stream has its own pipeline: exactly one chunk, on whichever stream gets there first
                AtomicLong damagedAt = new AtomicLong();
                TransferOptions options = TransferOptions.defaults().withChunkSize(CHUNK)
                        .withPipelineHook(damage ? pipeline -> pipeline.addLast("damage", new ChannelOutboundHandlerAdapter() {
                            @Override
                            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                                if (msg instanceof TransferMessage.Chunk c && c.payload().isReadable()
                                        && damagedAt.compareAndSet(0, c.address())) {
                                    // the payload is the sender's buffer: damage a copy, as the wire would
                                    ByteBuf copy = Unpooled.copiedBuffer(c.payload());
                                    c.payload().release();
                                    copy.setByte(100, copy.getByte(100) ^ 0x01);
                                    msg = new TransferMessage.Chunk(c.address(), c.rawLength(), c.encoding(), c.hash(), copy);
                                }
                                super.write(ctx, msg, promise);
                            }
                        }) : pipeline -> { });
                try (MigrationReceiver receiver = MigrationReceiver.listen(
                             new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, null, options);
                     MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
                    SessionImage image = new SessionImage(new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40), 1,
                            List.of(), source.allocations(), List.of(), List.of(), List.of(), List.of(), List.of(),
                            new java.util.TreeMap<>());
                    if (!damage) {
                        sender.finish(image, ProgressListener.NONE);
                        receiver.result().get(30, TimeUnit.SECONDS);
                        assertArrayEquals(read(emulator, base, 4L * CHUNK), read(targetDevice, base, 4L * CHUNK));
                        continue;
                    }
                    TransferAbortedException e = assertThrows(TransferAbortedException.class,
                            () -> sender.finish(image, ProgressListener.NONE));
                    String where = "0x" + Long.toHexString(damagedAt.get());
                    assertTrue(e.getMessage().contains(where) && e.getMessage().contains("device memory digests"),
                            "the refusal names the damaged chunk " + where + ": " + e.getMessage());
                    assertThrows(ExecutionException.class, () -> receiver.result().get(30, TimeUnit.SECONDS));
                    assertEquals(List.of(), targetDevice.allocations(), "an aborted transfer leaves nothing on the target");
                }
            }
        }
    }

    @Test
    void aTargetThatDigestsItsDeviceReadiesItsDigestsBeforeThePause() throws Exception {
        try (EmulatorBackend emulator = new EmulatorBackend(1L << 30, 2);
             EmulatorBackend targetDevice = new EmulatorBackend(1L << 30, 2);
             KernelChunkHasher hasher = KernelChunkHasher.load(emulator);
             KernelChunkHasher targetHasher = KernelChunkHasher.load(targetDevice)) {
            DeviceBackend source = new DeviceHashingSource(emulator, hasher).backend();
            AtomicLong digestCalls = new AtomicLong();
            DeviceBackend target = new io.gpumigrate.device.ForwardingDeviceBackend(
                    new DeviceHashingSource(targetDevice, targetHasher).backend()) {
                @Override
                public io.gpumigrate.device.ChunkDigests chunkDigests(long address, long bytes, int chunkSize)
                        throws io.gpumigrate.device.CudaException {
                    digestCalls.incrementAndGet();
                    return super.chunkDigests(address, bytes, chunkSize);
                }
            };
            long base = emulator.memAlloc(3L * CHUNK);
            writeRandom(emulator, base, 3L * CHUNK, 4);
            TransferOptions options = TransferOptions.defaults().withChunkSize(CHUNK);
            try (MigrationReceiver receiver = MigrationReceiver.listen(
                         new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, null, options);
                 MigrationSender sender = MigrationSender.connect(receiver.address(), source, options)) {
                sender.prepare(source.allocations());
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                        .until(() -> targetDevice.allocations().equals(emulator.allocations()));
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                        .until(() -> digestCalls.get() == 1);
                sender.finish(new SessionImage(new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40), 1,
                        List.of(), source.allocations(), List.of(), List.of(), List.of(), List.of(), List.of(),
                        new java.util.TreeMap<>()), ProgressListener.NONE);
                receiver.result().get(30, TimeUnit.SECONDS);
            }
            assertEquals(2, digestCalls.get(), "once when the allocations were placed, once to verify at FINISH");
            assertArrayEquals(read(emulator, base, 3L * CHUNK), read(targetDevice, base, 3L * CHUNK));
        }
    }
}
